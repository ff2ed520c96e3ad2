import { type FunctionSpec, forLoop, I32, op, V128 } from './wasm-encoder';

const get = op.get;
const set = op.set;
/** address = base + 4 * (index expression) */
const addr = (base: number, index: number[]): number[] => [
  ...get(base),
  ...index,
  ...op.i32(4),
  ...op.i32Mul(),
  ...op.i32Add(),
];
const mul = (...xs: number[][]): number[] => [
  ...xs[0],
  ...xs.slice(1).flatMap((x) => [...x, ...op.i32Mul()]),
];
const add = (...xs: number[][]): number[] => [
  ...xs[0],
  ...xs.slice(1).flatMap((x) => [...x, ...op.i32Add()]),
];
const splat = (v: number): number[] => op.v128Const([v, v, v, v]);

/**
 * `lstm_pre(z, xw, scale, batch, width4, xwStride)`: z[b, :] = (z[b, :] + xw[b, :]) * scale, with
 * xw's rows `xwStride` bytes apart (this step's rows of x W + b) and scale doubling the g quarter.
 */
const Z = 0,
  XW = 1,
  SCALE = 2,
  BATCH = 3,
  WIDTH = 4,
  XW_STRIDE = 5,
  B = 6,
  J = 7;
export const lstmPreSimd: FunctionSpec = {
  name: 'lstm_pre',
  params: [I32, I32, I32, I32, I32, I32],
  locals: [I32, I32],
  body: forLoop(B, get(BATCH), [
    ...forLoop(
      J,
      get(WIDTH),
      [
        ...addr(Z, add(mul(get(B), get(WIDTH)), get(J))),
        ...addr(Z, add(mul(get(B), get(WIDTH)), get(J))),
        ...op.v128Load(),
        ...get(XW),
        ...mul(get(B), get(XW_STRIDE)),
        ...op.i32Add(),
        ...get(J),
        ...op.i32(4),
        ...op.i32Mul(),
        ...op.i32Add(),
        ...op.v128Load(),
        ...op.f32x4Add(),
        ...addr(SCALE, get(J)),
        ...op.v128Load(),
        ...op.f32x4Mul(),
        ...op.v128Store(),
      ],
      op.i32(4),
    ),
  ]),
};

/**
 * `lstm_cell(s, cPrev, gates, c, cellTwice, batch, units)`: from s = sigmoid of the pre-activations
 * (g quarter doubled, so tanh(g) = 2 s - 1): stores the gates i, f, g, o, the new cell
 * c = f cPrev + i g, and 2c (tanh(c) = 2 sigmoid(2c) - 1 comes next).
 */
const S = 0,
  CPREV = 1,
  GATES = 2,
  C = 3,
  CELL2 = 4,
  BATCH2 = 5,
  UNITS = 6;
const B2 = 7,
  J2 = 8,
  VI = 9,
  VF = 10,
  VG = 11,
  VO = 12,
  VC = 13;
const gateAddr = (base: number, quarter: number): number[] =>
  addr(base, add(mul(get(B2), get(UNITS), op.i32(4)), mul(get(UNITS), op.i32(quarter)), get(J2)));
const cellAddr = (base: number): number[] => addr(base, add(mul(get(B2), get(UNITS)), get(J2)));
export const lstmCellSimd: FunctionSpec = {
  name: 'lstm_cell',
  params: [I32, I32, I32, I32, I32, I32, I32],
  locals: [I32, I32, V128, V128, V128, V128, V128],
  body: forLoop(B2, get(BATCH2), [
    ...forLoop(
      J2,
      get(UNITS),
      [
        ...gateAddr(S, 0),
        ...op.v128Load(),
        ...set(VI),
        ...gateAddr(S, 1),
        ...op.v128Load(),
        ...set(VF),
        ...gateAddr(S, 2),
        ...op.v128Load(),
        ...splat(2),
        ...op.f32x4Mul(),
        ...splat(1),
        ...op.f32x4Sub(),
        ...set(VG),
        ...gateAddr(S, 3),
        ...op.v128Load(),
        ...set(VO),
        ...get(VF),
        ...cellAddr(CPREV),
        ...op.v128Load(),
        ...op.f32x4Mul(),
        ...get(VI),
        ...get(VG),
        ...op.f32x4Mul(),
        ...op.f32x4Add(),
        ...set(VC),
        ...gateAddr(GATES, 0),
        ...get(VI),
        ...op.v128Store(),
        ...gateAddr(GATES, 1),
        ...get(VF),
        ...op.v128Store(),
        ...gateAddr(GATES, 2),
        ...get(VG),
        ...op.v128Store(),
        ...gateAddr(GATES, 3),
        ...get(VO),
        ...op.v128Store(),
        ...cellAddr(C),
        ...get(VC),
        ...op.v128Store(),
        ...cellAddr(CELL2),
        ...get(VC),
        ...get(VC),
        ...op.f32x4Add(),
        ...op.v128Store(),
      ],
      op.i32(4),
    ),
  ]),
};

/**
 * `lstm_out(cellSigmoid, gates, tanhC, h, batch, units)`: tanh(c) = 2 sigmoid(2c) - 1, stored for
 * the backward pass, and h = o tanh(c).
 */
const CS = 0,
  G3 = 1,
  TC = 2,
  H = 3,
  BATCH3 = 4,
  UNITS3 = 5,
  B3 = 6,
  J3 = 7,
  VT = 8;
export const lstmOutSimd: FunctionSpec = {
  name: 'lstm_out',
  params: [I32, I32, I32, I32, I32, I32],
  locals: [I32, I32, V128],
  body: forLoop(B3, get(BATCH3), [
    ...forLoop(
      J3,
      get(UNITS3),
      [
        ...addr(CS, add(mul(get(B3), get(UNITS3)), get(J3))),
        ...op.v128Load(),
        ...splat(2),
        ...op.f32x4Mul(),
        ...splat(1),
        ...op.f32x4Sub(),
        ...set(VT),
        ...addr(TC, add(mul(get(B3), get(UNITS3)), get(J3))),
        ...get(VT),
        ...op.v128Store(),
        ...addr(H, add(mul(get(B3), get(UNITS3)), get(J3))),
        ...addr(G3, add(mul(get(B3), get(UNITS3), op.i32(4)), mul(get(UNITS3), op.i32(3)), get(J3))),
        ...op.v128Load(),
        ...get(VT),
        ...op.f32x4Mul(),
        ...op.v128Store(),
      ],
      op.i32(4),
    ),
  ]),
};

/**
 * `lstm_back(gates, tanhC, cPrev, dh, dc, dz, batch, units)`: one step of backpropagation through
 * time. From dL/dh_t (dh) and dL/dc_t carried from the later step (dc): the pre-activation
 * gradients dz = [di, df, dg, do] * the gates' derivatives, and dc <- dL/dc_{t-1} in place.
 */
const GB = 0,
  TCB = 1,
  CP = 2,
  DH = 3,
  DC = 4,
  DZ = 5,
  BATCH4 = 6,
  UNITS4 = 7;
const B4 = 8,
  J4 = 9,
  I4 = 10,
  F4 = 11,
  G4 = 12,
  O4 = 13,
  T4 = 14,
  H4 = 15,
  C4 = 16;
const q = (base: number, quarter: number): number[] =>
  addr(base, add(mul(get(B4), get(UNITS4), op.i32(4)), mul(get(UNITS4), op.i32(quarter)), get(J4)));
const row = (base: number): number[] => addr(base, add(mul(get(B4), get(UNITS4)), get(J4)));
/** 1 - v * v */
const oneMinusSquare = (v: number): number[] => [
  ...splat(1),
  ...get(v),
  ...get(v),
  ...op.f32x4Mul(),
  ...op.f32x4Sub(),
];
/** v * (1 - v) */
const logisticSlope = (v: number): number[] => [
  ...get(v),
  ...splat(1),
  ...get(v),
  ...op.f32x4Sub(),
  ...op.f32x4Mul(),
];
const times = (...parts: number[][]): number[] => [
  ...parts[0],
  ...parts.slice(1).flatMap((p) => [...p, ...op.f32x4Mul()]),
];
export const lstmBackSimd: FunctionSpec = {
  name: 'lstm_back',
  params: [I32, I32, I32, I32, I32, I32, I32, I32],
  locals: [I32, I32, V128, V128, V128, V128, V128, V128, V128],
  body: forLoop(B4, get(BATCH4), [
    ...forLoop(
      J4,
      get(UNITS4),
      [
        ...q(GB, 0),
        ...op.v128Load(),
        ...set(I4),
        ...q(GB, 1),
        ...op.v128Load(),
        ...set(F4),
        ...q(GB, 2),
        ...op.v128Load(),
        ...set(G4),
        ...q(GB, 3),
        ...op.v128Load(),
        ...set(O4),
        ...row(TCB),
        ...op.v128Load(),
        ...set(T4),
        ...row(DH),
        ...op.v128Load(),
        ...set(H4),
        // c4 = dc + dh * o * (1 - tc^2): dL/dc_t
        ...row(DC),
        ...op.v128Load(),
        ...times(get(H4), get(O4), oneMinusSquare(T4)),
        ...op.f32x4Add(),
        ...set(C4),
        ...q(DZ, 0),
        ...times(get(C4), get(G4), logisticSlope(I4)),
        ...op.v128Store(),
        ...q(DZ, 1),
        ...times(get(C4), [...row(CP), ...op.v128Load()], logisticSlope(F4)),
        ...op.v128Store(),
        ...q(DZ, 2),
        ...times(get(C4), get(I4), oneMinusSquare(G4)),
        ...op.v128Store(),
        ...q(DZ, 3),
        ...times(get(H4), get(T4), logisticSlope(O4)),
        ...op.v128Store(),
        ...row(DC),
        ...times(get(C4), get(F4)),
        ...op.v128Store(),
      ],
      op.i32(4),
    ),
  ]),
};
