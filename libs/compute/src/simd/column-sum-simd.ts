import { type FunctionSpec, forLoop, I32, op } from './wasm-encoder';

// Parameters: byte addresses of x and out; rows; channels (multiple of 4).
const X = 0,
  OUT = 1,
  ROWS = 2,
  CHANNELS = 3;
const R = 4,
  C = 5,
  SRC = 6,
  DST = 7;

const get = op.get;
const bump = (local: number, bytes: number): number[] => [
  ...get(local),
  ...op.i32(bytes),
  ...op.i32Add(),
  ...op.set(local),
];

/**
 * `colsum(x, out, rows, channels)`: out[c] = sum over r of x[r, c], row after row (the cpu backend's
 * order), four channels per f32x4; `out` (a few hundred bytes) stays in L1 while x streams once.
 */
export const columnSumSimd: FunctionSpec = {
  name: 'colsum',
  params: [I32, I32, I32, I32],
  locals: [I32, I32, I32, I32],
  body: [
    ...forLoop(
      C,
      get(CHANNELS),
      [
        ...get(OUT),
        ...get(C),
        ...op.i32(4),
        ...op.i32Mul(),
        ...op.i32Add(),
        ...op.v128Zero(),
        ...op.v128Store(),
      ],
      op.i32(4),
    ),
    ...get(X),
    ...op.set(SRC),
    ...forLoop(R, get(ROWS), [
      ...get(OUT),
      ...op.set(DST),
      ...forLoop(
        C,
        get(CHANNELS),
        [
          ...get(DST),
          ...get(DST),
          ...op.v128Load(),
          ...get(SRC),
          ...op.v128Load(),
          ...op.f32x4Add(),
          ...op.v128Store(),
          ...bump(SRC, 16),
          ...bump(DST, 16),
        ],
        op.i32(4),
      ),
    ]),
  ],
};
