import { type FunctionSpec, forLoop, I32, op } from './wasm-encoder';

// Parameters: byte addresses of x, out, a, b; rows; channels (a multiple of 4).
const X = 0,
  OUT = 1,
  A = 2,
  B = 3,
  ROWS = 4,
  CHANNELS = 5;
const R = 6,
  C = 7,
  SRC = 8,
  DST = 9,
  P = 10;

const get = op.get;
const bump = (local: number, bytes: number): number[] => [
  ...get(local),
  ...op.i32(bytes),
  ...op.i32Add(),
  ...op.set(local),
];

/**
 * `affine(x, out, a, b, rows, channels)`: out[r, c] = x[r, c] * a[c] + b[c], four channels per
 * f32x4 (channels must divide by 4). BatchNorm's forward pass with per-channel statistics.
 */
export const channelAffineSimd: FunctionSpec = {
  name: 'affine',
  params: [I32, I32, I32, I32, I32, I32],
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
          ...get(SRC),
          ...op.v128Load(),
          ...get(A),
          ...get(P),
          ...op.i32Add(),
          ...op.v128Load(),
          ...op.f32x4Mul(),
          ...get(B),
          ...get(P),
          ...op.i32Add(),
          ...op.v128Load(),
          ...op.f32x4Add(),
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
