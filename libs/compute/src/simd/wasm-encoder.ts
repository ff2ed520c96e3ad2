/**
 * Just enough of the WebAssembly binary format to assemble small SIMD kernels at run time, so the
 * project needs no compiler (no AssemblyScript, no wabt) and ships no prebuilt binary.
 * Spec: https://webassembly.github.io/spec/core/binary/ (opcodes of the final SIMD proposal).
 */

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

export function unsignedLeb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

export function signedLeb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function utf8(name: string): number[] {
  const bytes = [...Buffer.from(name, 'utf8')];
  return [...unsignedLeb(bytes.length), ...bytes];
}

function vector(items: number[][]): number[] {
  return [...unsignedLeb(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...unsignedLeb(body.length), ...body];
}

/** Instruction encoders; `memarg` offsets are in bytes, alignment as log2. */
export const op = {
  block: (): number[] => [0x02, 0x40],
  loop: (): number[] => [0x03, 0x40],
  end: (): number[] => [0x0b],
  br: (depth: number): number[] => [0x0c, ...unsignedLeb(depth)],
  brIf: (depth: number): number[] => [0x0d, ...unsignedLeb(depth)],
  get: (local: number): number[] => [0x20, ...unsignedLeb(local)],
  set: (local: number): number[] => [0x21, ...unsignedLeb(local)],
  tee: (local: number): number[] => [0x22, ...unsignedLeb(local)],
  drop: (): number[] => [0x1a],
  i32: (value: number): number[] => [0x41, ...signedLeb(value)],
  i32Add: (): number[] => [0x6a],
  i32Sub: (): number[] => [0x6b],
  i32Mul: (): number[] => [0x6c],
  i32GeU: (): number[] => [0x4f],
  i32GtU: (): number[] => [0x4b],
  f32Load: (offset = 0): number[] => [0x2a, 2, ...unsignedLeb(offset)],
  f32Store: (offset = 0): number[] => [0x38, 2, ...unsignedLeb(offset)],
  f32Const0: (): number[] => [0x43, 0, 0, 0, 0],
  f32Add: (): number[] => [0x92],
  f32Mul: (): number[] => [0x94],
  v128Load: (offset = 0): number[] => [0xfd, ...unsignedLeb(0x00), 2, ...unsignedLeb(offset)],
  v128Store: (offset = 0): number[] => [0xfd, ...unsignedLeb(0x0b), 2, ...unsignedLeb(offset)],
  v128Zero: (): number[] => [0xfd, ...unsignedLeb(0x0c), ...new Array<number>(16).fill(0)],
  f32x4Splat: (): number[] => [0xfd, ...unsignedLeb(0x13)],
  f32x4Add: (): number[] => [0xfd, ...unsignedLeb(0xe4)],
  f32x4Sub: (): number[] => [0xfd, ...unsignedLeb(0xe5)],
  f32x4Mul: (): number[] => [0xfd, ...unsignedLeb(0xe6)],
  f32x4Div: (): number[] => [0xfd, ...unsignedLeb(0xe7)],
  f32x4Gt: (): number[] => [0xfd, ...unsignedLeb(0x44)],
  v128Const: (lanes: readonly number[]): number[] => [
    0xfd,
    ...unsignedLeb(0x0c),
    ...new Uint8Array(Float32Array.from(lanes).buffer),
  ],
  v128And: (): number[] => [0xfd, ...unsignedLeb(0x4e)],
  v128AndNot: (): number[] => [0xfd, ...unsignedLeb(0x4f)],
  v128Or: (): number[] => [0xfd, ...unsignedLeb(0x50)],
  v128Bitselect: (): number[] => [0xfd, ...unsignedLeb(0x52)],
};

/**
 * `for (local = 0; local < limit; local++) body`, as block/loop. Inside `body`, depth 0 is this
 * loop and 1 its exit; bodies nest their own loops, never branching outward.
 */
export function forLoop(
  local: number,
  limit: number[],
  body: number[],
  step: number[] = op.i32(1),
): number[] {
  return [
    ...op.i32(0),
    ...op.set(local),
    ...op.block(),
    ...op.loop(),
    ...op.get(local),
    ...limit,
    ...op.i32GeU(),
    ...op.brIf(1),
    ...body,
    ...op.get(local),
    ...step,
    ...op.i32Add(),
    ...op.set(local),
    ...op.br(0),
    ...op.end(),
    ...op.end(),
  ];
}

/** `while (cond) body`: `cond` leaves an i32 on the stack. */
export function whileLoop(cond: number[], body: number[]): number[] {
  return [
    ...op.block(),
    ...op.loop(),
    ...cond,
    0x45 /* i32.eqz */,
    ...op.brIf(1),
    ...body,
    ...op.br(0),
    ...op.end(),
    ...op.end(),
  ];
}

export interface FunctionSpec {
  readonly name: string;
  readonly params: readonly number[];
  /** Extra locals, numbered after the parameters. */
  readonly locals: readonly number[];
  readonly body: readonly number[];
}

/** A module importing `env.memory` (shared or not) and exporting the given functions. */
export function assembleModule(functions: readonly FunctionSpec[], sharedMemory: boolean): Uint8Array {
  const types = functions.map((f) => [0x60, ...vector(f.params.map((p) => [p])), 0]);
  // Limits: shared memories must declare a maximum; 65536 pages (4 GiB) admits any.
  const limits = sharedMemory ? [0x03, 0, ...unsignedLeb(65536)] : [0x00, 0];
  const imports = vector([[...utf8('env'), ...utf8('memory'), 0x02, ...limits]]);
  const funcs = vector(functions.map((_, i) => unsignedLeb(i)));
  const exported = vector(functions.map((f, i) => [...utf8(f.name), 0x00, ...unsignedLeb(i)]));
  const codes = vector(
    functions.map((f) => {
      const locals = vector(f.locals.map((t) => [1, t]));
      const body = [...locals, ...f.body, ...op.end()];
      return [...unsignedLeb(body.length), ...body];
    }),
  );
  return Uint8Array.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vector(types)),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exported),
    ...section(10, codes),
  ]);
}
