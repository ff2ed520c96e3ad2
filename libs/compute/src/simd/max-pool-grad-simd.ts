import { type FunctionSpec, forLoop, I32, op, V128 } from './wasm-encoder';

// Parameters: byte addresses of x, dy, dx; batch, inHeight, inWidth, channels (multiple of 4),
// outHeight, outWidth.
const X = 0,
  DY = 1,
  DX = 2,
  BATCH = 3,
  IN_H = 4,
  IN_W = 5,
  CH = 6,
  OUT_H = 7,
  OUT_W = 8;
const B = 9,
  OY = 10,
  OX = 11,
  C = 12,
  P = 13,
  DYP = 14,
  PIXEL = 15,
  ROW = 16,
  TO_DX = 17;
const V00 = 18,
  V01 = 19,
  V10 = 20,
  V11 = 21,
  BEST = 22,
  C0 = 23,
  C1 = 24,
  C2 = 25,
  C3 = 26,
  G = 27;

const get = op.get;
const set = op.set;
const bump = (local: number, amount: number[]): number[] => [
  ...get(local),
  ...amount,
  ...op.i32Add(),
  ...set(local),
];

/** best = c ? v : best, after c = v > best */
const challenge = (v: number, c: number): number[] => [
  ...get(v),
  ...get(BEST),
  ...op.f32x4Gt(),
  ...op.tee(c),
  ...get(v),
  ...get(BEST),
  ...get(c),
  ...op.v128Bitselect(),
  ...set(BEST),
  ...op.drop(),
];

/** dx at address (p + offset) = g & mask, where g is dy */
const route = (offset: number[], mask: number[]): number[] => [
  ...get(P),
  ...offset,
  ...op.i32Add(),
  ...get(TO_DX),
  ...op.i32Add(),
  ...get(G),
  ...mask,
  ...op.v128And(),
  ...op.v128Store(),
];

const notLater = (mask: number, ...later: number[]): number[] =>
  later.reduce<number[]>((acc, l) => [...acc, ...get(l), ...op.v128AndNot()], get(mask));

const channelStep = [
  ...get(P),
  ...op.v128Load(),
  ...set(V00),
  ...get(P),
  ...get(PIXEL),
  ...op.i32Add(),
  ...op.v128Load(),
  ...set(V01),
  ...get(P),
  ...get(ROW),
  ...op.i32Add(),
  ...op.v128Load(),
  ...set(V10),
  ...get(P),
  ...get(ROW),
  ...op.i32Add(),
  ...get(PIXEL),
  ...op.i32Add(),
  ...op.v128Load(),
  ...set(V11),
  ...op.v128Const([-Infinity, -Infinity, -Infinity, -Infinity]),
  ...set(BEST),
  ...challenge(V00, C0),
  ...challenge(V01, C1),
  ...challenge(V10, C2),
  ...challenge(V11, C3),
  ...get(DYP),
  ...op.v128Load(),
  ...set(G),
  // The last position that beat the running best holds the first maximum.
  ...route(op.i32(0), notLater(C0, C1, C2, C3)),
  ...route(get(PIXEL), notLater(C1, C2, C3)),
  ...route(get(ROW), notLater(C2, C3)),
  ...route([...get(ROW), ...get(PIXEL), ...op.i32Add()], get(C3)),
  ...bump(P, op.i32(16)),
  ...bump(DYP, op.i32(16)),
];

/**
 * `maxpoolgrad2x2(x, dy, dx, batch, inH, inW, ch, outH, outW)`: the gradient of a 2x2, stride-2,
 * unpadded max pool, four channels per f32x4. Windows do not overlap, so every covered dx element
 * is written exactly once (dy where it held the window's first maximum, else 0); rows or columns
 * no window covers (odd sizes) are left for the caller to zero. Ties, NaN and -Infinity follow the
 * cpu backend: a candidate wins only if strictly greater than the best so far, starting at -Infinity.
 */
export const maxPoolGrad2x2Simd: FunctionSpec = {
  name: 'maxpoolgrad2x2',
  params: [I32, I32, I32, I32, I32, I32, I32, I32, I32],
  locals: [
    I32,
    I32,
    I32,
    I32,
    I32,
    I32,
    I32,
    I32,
    I32,
    V128,
    V128,
    V128,
    V128,
    V128,
    V128,
    V128,
    V128,
    V128,
    V128,
  ],
  body: [
    ...get(CH),
    ...op.i32(4),
    ...op.i32Mul(),
    ...set(PIXEL),
    ...get(IN_W),
    ...get(PIXEL),
    ...op.i32Mul(),
    ...set(ROW),
    ...get(DX),
    ...get(X),
    ...op.i32Sub(),
    ...set(TO_DX),
    ...get(DY),
    ...set(DYP),
    ...forLoop(B, get(BATCH), [
      ...forLoop(OY, get(OUT_H), [
        ...forLoop(OX, get(OUT_W), [
          // p = x + ((b * inH + 2 * oy) * inW + 2 * ox) * ch * 4
          ...get(X),
          ...get(B),
          ...get(IN_H),
          ...op.i32Mul(),
          ...get(OY),
          ...op.i32(2),
          ...op.i32Mul(),
          ...op.i32Add(),
          ...get(ROW),
          ...op.i32Mul(),
          ...op.i32Add(),
          ...get(OX),
          ...op.i32(2),
          ...op.i32Mul(),
          ...get(PIXEL),
          ...op.i32Mul(),
          ...op.i32Add(),
          ...set(P),
          ...forLoop(C, get(CH), channelStep, op.i32(4)),
        ]),
      ]),
    ]),
  ],
};
