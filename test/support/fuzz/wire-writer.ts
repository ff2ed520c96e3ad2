/**
 * Protocol Buffers wire encoding by hand, so the fuzz test can write what no generated encoder
 * would: a field with the wrong wire type, a varint longer than 64 bits, a length that lies.
 * https://protobuf.dev/programming-guides/encoding/
 */
export const WireType = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

export class WireWriter {
  private readonly parts: Buffer[] = [];

  varint(value: bigint | number): this {
    // Small non-negative numbers (tags, lengths, most values) without BigInt: the fuzzer writes
    // hundreds of thousands of them, and BigInt made the test starve the services it fuzzes.
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < 2 ** 31) {
      const bytes: number[] = [];
      let n = value;
      while (n >= 0x80) {
        bytes.push((n & 0x7f) | 0x80);
        n >>>= 7;
      }
      bytes.push(n);
      this.parts.push(Buffer.from(bytes));
      return this;
    }
    // Negative int32/int64 values are written as 10-byte two's complement varints (proto3 rules).
    let v = BigInt.asUintN(64, BigInt(value));
    const bytes: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      bytes.push(byte);
    } while (v !== 0n);
    this.parts.push(Buffer.from(bytes));
    return this;
  }

  tag(field: number, wire: WireType): this {
    return field < 2 ** 28
      ? this.varint(field * 8 + wire)
      : this.varint((BigInt(field) << 3n) | BigInt(wire));
  }

  double(value: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    this.parts.push(b);
    return this;
  }

  float(value: number): this {
    const b = Buffer.alloc(4);
    b.writeFloatLE(value);
    this.parts.push(b);
    return this;
  }

  fixed32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value >>> 0);
    this.parts.push(b);
    return this;
  }

  fixed64(value: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt.asUintN(64, value));
    this.parts.push(b);
    return this;
  }

  /** A length-delimited payload with its true length. */
  bytes(payload: Buffer): this {
    this.varint(payload.length);
    this.parts.push(payload);
    return this;
  }

  raw(payload: Buffer): this {
    this.parts.push(payload);
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}
