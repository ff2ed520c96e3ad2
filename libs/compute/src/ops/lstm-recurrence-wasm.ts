import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';
import { Sigmoid } from '@tensorflow/tfjs';
import { runStock } from '../kernels/stock-kernels';
import { f32 } from '../kernels/wasm-heap';
import { simdKernels } from '../simd/simd-module';

const at = (backend: BackendWasm, t: tf.Tensor): number => backend.dataIdMap.get(t.dataId).memoryOffset;

/** Everything the backward pass needs from the forward recurrence. */
export interface LstmStates {
  /** [T + 1, B, H]: h_0 = 0, then h_1 .. h_T */
  readonly hs: tf.Tensor3D;
  /** [T + 1, B, H]: c_0 = 0, then c_1 .. c_T */
  readonly cs: tf.Tensor3D;
  /** [T, B, H]: tanh(c_t), kept so that the backward pass needs no transcendental functions */
  readonly tanhCs: tf.Tensor3D;
  /** [T, B, 4H]: the activated gates i, f, g, o of each step */
  readonly gates: tf.Tensor3D;
}

/** XNNPACK's SIMD sigmoid (the stock Sigmoid kernel), in place of Math.exp per element. */
function sigmoidInPlace(backend: BackendWasm, x: tf.Tensor): void {
  const out = runStock(Sigmoid, backend, { x });
  f32(backend, x).set(f32(backend, out));
  backend.disposeData(out.dataId);
}

/**
 * The LSTM recurrence on the wasm heap: per step one SIMD product h_{t-1} U ([B, H] x [H, 4H], our
 * bmm kernel), two calls of XNNPACK's sigmoid (tanh(x) = 2 sigmoid(2x) - 1: Math.exp and Math.tanh
 * per element cost ~20 ns each, 4x the rest of the step) and JS passes of plain arithmetic, instead
 * of the ~60 tfjs ops (and tape entries) per step of tfjs-layers' LSTMCell. `xw` is x W + b as
 * [B, T, 4H]; gates in Keras order i, f, g, o.
 */
interface StepBuffers {
  xw: tf.Tensor;
  z: tf.Tensor;
  cell: tf.Tensor;
  hs: tf.Tensor;
  cs: tf.Tensor;
  tanhCs: tf.Tensor;
  gates: tf.Tensor;
}

/** The forward steps with every elementwise pass in our SIMD kernels (units a multiple of 4). */
function simdSteps(
  backend: BackendWasm,
  t: StepBuffers,
  d: { batch: number; steps: number; units: number; uAt: number },
): void {
  const { batch, steps, units } = d;
  const width4 = 4 * units;
  const kernels = simdKernels(backend);
  const scale = tf.tensor1d(
    Array.from({ length: width4 }, (_, j) => (j >= 2 * units && j < 3 * units ? 2 : 1)),
  );
  const [xwAt, zAt, cellAt, hsAt, csAt, tcAt, gAt, scaleAt] = [
    t.xw,
    t.z,
    t.cell,
    t.hs,
    t.cs,
    t.tanhCs,
    t.gates,
    scale,
  ].map((x) => at(backend, x));
  const plane = 4 * batch * units;
  for (let s = 0; s < steps; s++) {
    kernels.bmm(hsAt + s * plane, d.uAt, zAt, 1, batch, units, width4, 0, 0);
    kernels.lstm_pre(zAt, xwAt + 4 * s * width4, scaleAt, batch, width4, 4 * steps * width4);
    sigmoidInPlace(backend, t.z);
    const gRows = gAt + s * 4 * plane;
    kernels.lstm_cell(zAt, csAt + s * plane, gRows, csAt + (s + 1) * plane, cellAt, batch, units);
    sigmoidInPlace(backend, t.cell);
    kernels.lstm_out(cellAt, gRows, tcAt + s * plane, hsAt + (s + 1) * plane, batch, units);
  }
  scale.dispose();
}

export function lstmForwardWasm(xw: tf.Tensor3D, recurrent: tf.Tensor2D): LstmStates {
  const backend = tf.backend() as BackendWasm;
  const [batch, steps, width4] = xw.shape;
  const units = width4 / 4;
  const hs = tf.zeros<tf.Rank.R3>([steps + 1, batch, units]);
  const cs = tf.zeros<tf.Rank.R3>([steps + 1, batch, units]);
  const tanhCs = tf.zeros<tf.Rank.R3>([steps, batch, units]);
  const gates = tf.zeros<tf.Rank.R3>([steps, batch, width4]);
  const z = tf.zeros([batch, width4]);
  const cell = tf.zeros([batch, units]);
  const { bmm } = simdKernels(backend);
  const [hsAt, uAt, zAt] = [at(backend, hs), at(backend, recurrent), at(backend, z)];
  const plane = batch * units;
  if (units % 4 === 0) {
    simdSteps(backend, { xw, z, cell, hs, cs, tanhCs, gates }, { batch, steps, units, uAt });
  } else {
    for (let t = 0; t < steps; t++) {
      // z = h_{t-1} U + (x W + b)_t, its g quarter doubled: one sigmoid then gives i, f, o and
      // (g + 1) / 2.
      bmm(hsAt + 4 * t * plane, uAt, zAt, 1, batch, units, width4, 0, 0);
      const [xwV, zV] = [f32(backend, xw), f32(backend, z)];
      for (let b = 0; b < batch; b++) {
        const row = b * width4;
        const xRow = (b * steps + t) * width4;
        for (let j = 0; j < width4; j++) zV[row + j] += xwV[xRow + j];
        for (let j = 2 * units; j < 3 * units; j++) zV[row + j] *= 2;
      }
      sigmoidInPlace(backend, z);
      const [sV, gV, csV, cellV] = [
        f32(backend, z),
        f32(backend, gates),
        f32(backend, cs),
        f32(backend, cell),
      ];
      for (let b = 0; b < batch; b++) {
        const row = b * width4;
        const gRow = (t * batch + b) * width4;
        const prev = t * plane + b * units;
        for (let j = 0; j < width4; j++) gV[gRow + j] = sV[row + j];
        for (let j = 0; j < units; j++) {
          const g = 2 * sV[row + 2 * units + j] - 1;
          gV[gRow + 2 * units + j] = g;
          const c = sV[row + units + j] * csV[prev + j] + sV[row + j] * g;
          csV[prev + plane + j] = c;
          cellV[b * units + j] = 2 * c;
        }
      }
      sigmoidInPlace(backend, cell);
      const [hsV, tcV, tV, gAfter] = [
        f32(backend, hs),
        f32(backend, tanhCs),
        f32(backend, cell),
        f32(backend, gates),
      ];
      for (let b = 0; b < batch; b++) {
        const own = b * units;
        const oRow = (t * batch + b) * width4 + 3 * units;
        for (let j = 0; j < units; j++) {
          const tc = 2 * tV[own + j] - 1;
          tcV[t * plane + own + j] = tc;
          hsV[(t + 1) * plane + own + j] = gAfter[oRow + j] * tc;
        }
      }
    }
  }
  tf.dispose([z, cell]);
  return { hs, cs, tanhCs, gates };
}

/**
 * Backpropagation through time on the wasm heap, from dL/dh_T: returns dL/dz for every step as
 * [T, B, 4H] (z = x W + b + h U, pre-activation); the caller turns it into weight gradients with
 * three large products.
 */
export function lstmBackwardWasm(
  dhLast: tf.Tensor2D,
  recurrent: tf.Tensor2D,
  states: LstmStates,
): tf.Tensor3D {
  const backend = tf.backend() as BackendWasm;
  const [steps, batch, width4] = states.gates.shape;
  const units = width4 / 4;
  const dz = tf.zeros<tf.Rank.R3>([steps, batch, width4]);
  const dh = tf.zeros([batch, units]);
  const dc = tf.zeros([batch, units]);
  const recurrentT = tf.transpose(recurrent);
  const { bmm } = simdKernels(backend);
  const [dzAt, dhAt, uTAt] = [at(backend, dz), at(backend, dh), at(backend, recurrentT)];
  const [dzV, dhV, dcV, csV, gV, dyV, tcV] = [dz, dh, dc, states.cs, states.gates, dhLast, states.tanhCs].map(
    (t) => f32(backend, t),
  );
  dhV.set(dyV);
  const plane = batch * units;
  if (units % 4 === 0) {
    const kernels = simdKernels(backend);
    const [gAt, tcAt, csAt, dcAt] = [states.gates, states.tanhCs, states.cs, dc].map((x) => at(backend, x));
    for (let t = steps - 1; t >= 0; t--) {
      const dzRows = dzAt + 4 * t * batch * width4;
      kernels.lstm_back(
        gAt + 4 * t * batch * width4,
        tcAt + 4 * t * plane,
        csAt + 4 * t * plane,
        dhAt,
        dcAt,
        dzRows,
        batch,
        units,
      );
      // dh_{t-1} = dz_t U^T
      bmm(dzRows, uTAt, dhAt, 1, batch, width4, units, 0, 0);
    }
    tf.dispose([dh, dc, recurrentT]);
    return dz;
  }
  for (let t = steps - 1; t >= 0; t--) {
    for (let b = 0; b < batch; b++) {
      const gRow = (t * batch + b) * width4;
      const prev = t * plane + b * units;
      const own = b * units;
      for (let j = 0; j < units; j++) {
        const i = gV[gRow + j];
        const f = gV[gRow + units + j];
        const g = gV[gRow + 2 * units + j];
        const o = gV[gRow + 3 * units + j];
        const tc = tcV[prev + j];
        const dhv = dhV[own + j];
        const dcv = dcV[own + j] + dhv * o * (1 - tc * tc);
        dcV[own + j] = dcv * f;
        dzV[gRow + j] = dcv * g * i * (1 - i);
        dzV[gRow + units + j] = dcv * csV[prev + j] * f * (1 - f);
        dzV[gRow + 2 * units + j] = dcv * i * (1 - g * g);
        dzV[gRow + 3 * units + j] = dhv * tc * o * (1 - o);
      }
    }
    // dh_{t-1} = dz_t U^T
    bmm(dzAt + 4 * t * batch * width4, uTAt, dhAt, 1, batch, width4, units, 0, 0);
  }
  tf.dispose([dh, dc, recurrentT]);
  return dz;
}
