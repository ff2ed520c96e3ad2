import { type FunctionSpec, forLoop, I32, op } from './wasm-encoder';

// Parameters: byte addresses of x (full), v (one value per channel), out; rows; channels (x4).
const X = 0,
  V = 1,
  OUT = 2,
  ROWS = 3,
  CHANNELS = 4;
const R = 5,
  C = 6,
  SRC = 7,
  DST = 8,
  P = 9;

const get = op.get;
const bump = (local: number, bytes: number): number[] => [
  ...get(local),
  ...op.i32(bytes),
  ...op.i32Add(),
  ...op.set(local),
];

export type ChannelOp = 'add' | 'sub' | 'mul' | 'div';

const instruction: Record<ChannelOp, () => number[]> = {
  add: op.f32x4Add,
  sub: op.f32x4Sub,
  mul: op.f32x4Mul,
  div: op.f32x4Div,
};

/**
 * `<op>(x, v, out, rows, channels)`: out[r, c] = x[r, c] <op> v[c] (or v[c] <op> x[r, c] when
 * `vectorFirst`), four channels per f32x4. The per-channel products and differences of BatchNorm's
 * gradient, without first tiling v to the full shape.
 */
export function channelBinarySimd(name: string, kind: ChannelOp, vectorFirst: boolean): FunctionSpec {
  const x = [...get(SRC), ...op.v128Load()];
  const v = [...get(V), ...get(P), ...op.i32Add(), ...op.v128Load()];
  return {
    name,
    params: [I32, I32, I32, I32, I32],
    locals: [I32, I32, I32, I32, I32],
    body: [
      ...get(X),
      ...op.set(SRC),
      ...get(OUT),
      ...op.set(DST),
      ...forLoop(R, get(ROWS), [
        ...op.i32(0),
        ...op.set(P),
        ...forLoop(
          C,
          get(CHANNELS),
          [
            ...get(DST),
            ...(vectorFirst ? [...v, ...x] : [...x, ...v]),
            ...instruction[kind](),
            ...op.v128Store(),
            ...bump(SRC, 16),
            ...bump(DST, 16),
            ...bump(P, 16),
          ],
          op.i32(4),
        ),
      ]),
    ],
  };
}

/** The exported names, by operation and operand order. */
export const CHANNEL_BINARY_FUNCTIONS: readonly FunctionSpec[] = [
  channelBinarySimd('chan_add', 'add', false),
  channelBinarySimd('chan_sub', 'sub', false),
  channelBinarySimd('chan_rsub', 'sub', true),
  channelBinarySimd('chan_mul', 'mul', false),
  channelBinarySimd('chan_div', 'div', false),
  channelBinarySimd('chan_rdiv', 'div', true),
];
