import * as tf from '@tensorflow/tfjs';
import { type LstmStates, lstmBackwardWasm, lstmForwardWasm } from './lstm-recurrence-wasm';

/**
 * An LSTM over a whole sequence, returning the last hidden state [B, H] (Keras gate order i, f, g,
 * o; sigmoid gates, tanh cell; zero initial state), as tfjs-layers' LSTM with
 * `recurrentActivation: 'sigmoid'` computes it. x [B, T, D], kernel [D, 4H], recurrent [H, 4H],
 * bias [4H].
 *
 * On wasm the recurrence runs fused (lstm-recurrence-wasm.ts) under a custom gradient: ~30 kernels
 * per training step instead of ~1,700. Other backends get the same maths as ordinary tfjs ops.
 */
export function lstmLastState(
  x: tf.Tensor3D,
  kernel: tf.Tensor2D,
  recurrent: tf.Tensor2D,
  bias: tf.Tensor1D,
): tf.Tensor2D {
  return tf.getBackend() === 'wasm'
    ? fused(x, kernel, recurrent, bias)
    : composite(x, kernel, recurrent, bias);
}

const fused = tf.customGrad((...args: unknown[]) => {
  const [x, kernel, recurrent, bias, save] = args as [
    tf.Tensor3D,
    tf.Tensor2D,
    tf.Tensor2D,
    tf.Tensor1D,
    tf.GradSaveFunc,
  ];
  const [batch, steps, depth] = x.shape;
  const width4 = kernel.shape[1];
  const units = width4 / 4;
  const xw = tf.reshape<tf.Rank.R3>(tf.add(tf.matMul(tf.reshape(x, [batch * steps, depth]), kernel), bias), [
    batch,
    steps,
    width4,
  ]);
  const states = lstmForwardWasm(xw, recurrent);
  const last = tf.reshape<tf.Rank.R2>(tf.slice(states.hs, [steps, 0, 0], [1, batch, units]), [batch, units]);
  save([x, kernel, recurrent, states.hs, states.cs, states.tanhCs, states.gates]);
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
    const [sx, sKernel, sRecurrent, hs, cs, tanhCs, gates] = saved as [
      tf.Tensor3D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor3D,
      tf.Tensor3D,
      tf.Tensor3D,
      tf.Tensor3D,
    ];
    const restored: LstmStates = { hs, cs, tanhCs, gates };
    const dz = lstmBackwardWasm(dy as tf.Tensor2D, sRecurrent, restored);
    const hPrev = tf.reshape(tf.slice(hs, [0, 0, 0], [steps, batch, units]), [steps * batch, units]);
    const dzRows = tf.reshape(dz, [steps * batch, width4]);
    const dRecurrent = tf.matMul(hPrev, dzRows, true, false);
    const dBias = tf.sum(dzRows, 0);
    // dz is step-major; x W was batch-major.
    const dxw = tf.reshape(tf.transpose(dz, [1, 0, 2]), [batch * steps, width4]);
    const dKernel = tf.matMul(tf.reshape(sx, [batch * steps, depth]), dxw, true, false);
    const dx = tf.reshape(tf.matMul(dxw, sKernel, false, true), [batch, steps, depth]);
    return [dx, dKernel, dRecurrent, dBias];
  };
  return { value: last, gradFunc };
});

function composite(
  x: tf.Tensor3D,
  kernel: tf.Tensor2D,
  recurrent: tf.Tensor2D,
  bias: tf.Tensor1D,
): tf.Tensor2D {
  return tf.tidy(() => {
    const [batch, steps, depth] = x.shape;
    const units = kernel.shape[1] / 4;
    const xw = tf.reshape<tf.Rank.R3>(
      tf.add(tf.matMul(tf.reshape(x, [batch * steps, depth]), kernel), bias),
      [batch, steps, 4 * units],
    );
    let h: tf.Tensor2D = tf.zeros([batch, units]);
    let c: tf.Tensor2D = tf.zeros([batch, units]);
    for (let t = 0; t < steps; t++) {
      const z = tf.add(
        tf.reshape(tf.slice(xw, [0, t, 0], [batch, 1, 4 * units]), [batch, 4 * units]),
        tf.matMul(h, recurrent),
      );
      const [zi, zf, zg, zo] = tf.split(z, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      c = tf.add(tf.mul(tf.sigmoid(zf), c), tf.mul(tf.sigmoid(zi), tf.tanh(zg)));
      h = tf.mul(tf.sigmoid(zo), tf.tanh(c));
    }
    return h;
  });
}
