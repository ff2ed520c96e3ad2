import { F32, type FunctionSpec, forLoop, I32, op, V128, whileLoop } from './wasm-encoder';

// Parameters (byte addresses and sizes), then locals.
const A = 0,
  B = 1,
  C = 2,
  BATCH = 3,
  M = 4,
  K = 5,
  N = 6,
  A_STRIDE = 7,
  B_STRIDE = 8;
const BI = 9,
  I = 10,
  J = 11,
  KK = 12,
  A_PTR = 13,
  B_PTR = 14,
  C_ROW = 15,
  ROW_BYTES = 16;
const A_ROW = 17,
  B_BASE = 18,
  C_BATCH = 19,
  ACC0 = 20,
  ACC1 = 21,
  AV = 22,
  ACC_S = 23;

const get = op.get;
const addTo = (local: number, amount: number[]): number[] => [
  ...get(local),
  ...amount,
  ...op.i32Add(),
  ...op.set(local),
];

/** `while (j + width <= n)` */
const fits = (width: number): number[] => [
  ...get(N),
  ...get(J),
  ...op.i32(width),
  ...op.i32Add(),
  ...op.i32GeU(),
];

/** acc += splat(a[k]) * b[k, j .. j + 4 * accumulators) over k; pointers advance a row of b per k. */
function dotColumns(accumulators: number[]): number[] {
  const step = [...get(A_PTR), ...op.f32Load(), ...op.f32x4Splat(), ...op.set(AV)];
  accumulators.forEach((acc, index) => {
    step.push(
      ...get(acc),
      ...get(AV),
      ...get(B_PTR),
      ...op.v128Load(16 * index),
      ...op.f32x4Mul(),
      ...op.f32x4Add(),
      ...op.set(acc),
    );
  });
  step.push(...addTo(A_PTR, op.i32(4)), ...addTo(B_PTR, get(ROW_BYTES)));
  return [
    ...accumulators.flatMap((acc) => [...op.v128Zero(), ...op.set(acc)]),
    ...get(A_ROW),
    ...op.set(A_PTR),
    ...get(B_BASE),
    ...get(J),
    ...op.i32(4),
    ...op.i32Mul(),
    ...op.i32Add(),
    ...op.set(B_PTR),
    ...forLoop(KK, get(K), step),
    ...accumulators.flatMap((acc, index) => [
      ...get(C_ROW),
      ...get(J),
      ...op.i32(4),
      ...op.i32Mul(),
      ...op.i32Add(),
      ...get(acc),
      ...op.v128Store(16 * index),
    ]),
    ...addTo(J, op.i32(4 * accumulators.length)),
  ];
}

/** One column of the row without SIMD, for the last n % 4 columns. */
const scalarColumn = [
  ...op.f32Const0(),
  ...op.set(ACC_S),
  ...get(A_ROW),
  ...op.set(A_PTR),
  ...get(B_BASE),
  ...get(J),
  ...op.i32(4),
  ...op.i32Mul(),
  ...op.i32Add(),
  ...op.set(B_PTR),
  ...forLoop(KK, get(K), [
    ...get(ACC_S),
    ...get(A_PTR),
    ...op.f32Load(),
    ...get(B_PTR),
    ...op.f32Load(),
    ...op.f32Mul(),
    ...op.f32Add(),
    ...op.set(ACC_S),
    ...addTo(A_PTR, op.i32(4)),
    ...addTo(B_PTR, get(ROW_BYTES)),
  ]),
  ...get(C_ROW),
  ...get(J),
  ...op.i32(4),
  ...op.i32Mul(),
  ...op.i32Add(),
  ...get(ACC_S),
  ...op.f32Store(),
  ...addTo(J, op.i32(1)),
];

const row = [
  // aRow = aBatch + i * k * 4; cRow = cBatch + i * n * 4
  ...get(A),
  ...get(BI),
  ...get(A_STRIDE),
  ...op.i32Mul(),
  ...op.i32Add(),
  ...get(I),
  ...get(K),
  ...op.i32Mul(),
  ...op.i32(4),
  ...op.i32Mul(),
  ...op.i32Add(),
  ...op.set(A_ROW),
  ...get(C_BATCH),
  ...get(I),
  ...get(ROW_BYTES),
  ...op.i32Mul(),
  ...op.i32Add(),
  ...op.set(C_ROW),
  ...op.i32(0),
  ...op.set(J),
  ...whileLoop(fits(8), dotColumns([ACC0, ACC1])),
  ...whileLoop(fits(4), dotColumns([ACC0])),
  ...whileLoop([...get(J), ...get(N), 0x49 /* i32.lt_u */], scalarColumn),
];

const body = [
  ...get(N),
  ...op.i32(4),
  ...op.i32Mul(),
  ...op.set(ROW_BYTES),
  ...forLoop(BI, get(BATCH), [
    ...get(B),
    ...get(BI),
    ...get(B_STRIDE),
    ...op.i32Mul(),
    ...op.i32Add(),
    ...op.set(B_BASE),
    ...get(C),
    ...get(BI),
    ...get(M),
    ...op.i32Mul(),
    ...get(ROW_BYTES),
    ...op.i32Mul(),
    ...op.i32Add(),
    ...op.set(C_BATCH),
    ...forLoop(I, get(M), row),
  ]),
];

/**
 * `bmm(a, b, c, batch, m, k, n, aStride, bStride)`: for each batch, c[m, n] = a[m, k] x b[k, n],
 * row-major float32 at byte addresses; a and b advance by their byte strides per batch (0 to
 * broadcast one matrix), c is packed. A row of c is built 8 columns at a time in two f32x4
 * accumulators (one splat of a[i, k] feeds both), then 4, then one by one.
 */
export const batchMatMulSimd: FunctionSpec = {
  name: 'bmm',
  params: [I32, I32, I32, I32, I32, I32, I32, I32, I32],
  locals: [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, V128, V128, V128, F32],
  body,
};
