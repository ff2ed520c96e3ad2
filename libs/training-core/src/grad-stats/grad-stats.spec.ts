import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipGradNorm, clipGradValue, NonFiniteGradientError } from './clip-grad';
import { gradStats } from './grad-stats';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const values = async (grads: tf.NamedTensorMap) =>
  Object.fromEntries(
    await Promise.all(Object.entries(grads).map(async ([k, t]) => [k, Array.from(await t.data())] as const)),
  );

describe('gradStats', () => {
  it('computes per-layer and global norms, max-abs, zero share and flags (hand-computed)', async () => {
    const grads = {
      a: tf.tensor1d([3, -4]), // norm 5
      b: tf.tensor2d([
        [0, 0],
        [1e-9, 0],
      ]), // norm 1e-9: vanishing; 3 of 4 zero
      c: tf.tensor1d([2000]), // norm 2000: exploding
    };
    const before = tf.memory().numTensors;
    const s = await gradStats(grads);
    expect(tf.memory().numTensors).toBe(before);
    expect(s.layers.map((l) => l.name)).toEqual(['a', 'b', 'c']);
    expect(s.layers[0]).toMatchObject({
      size: 2,
      l2Norm: 5,
      maxAbs: 4,
      zeroFraction: 0,
      vanishing: false,
      exploding: false,
    });
    expect(s.layers[1].l2Norm).toBeCloseTo(1e-9, 15);
    expect(s.layers[1]).toMatchObject({ zeroFraction: 0.75, vanishing: true, exploding: false });
    expect(s.layers[2]).toMatchObject({ l2Norm: 2000, exploding: true });
    expect(s.globalL2Norm).toBeCloseTo(Math.sqrt(25 + 1e-18 + 4e6), 9);
    expect(s.maxAbs).toBe(2000);
    expect(s.zeroFraction).toBeCloseTo(3 / 7, 15);
    expect([s.vanishing, s.exploding]).toEqual([false, true]);
    expect(s.vanishingLayers).toEqual(['b']);
    expect(s.explodingLayers).toEqual(['c']);
    expect(s.thresholds).toEqual({ vanishingNorm: 1e-7, explodingNorm: 1e3 });
    tf.dispose(Object.values(grads));
  });

  it('neither underflows nor overflows float32 (norm scaled by max|g|)', async () => {
    const grads = { tiny: tf.tensor1d([1e-30, 1e-30]), huge: tf.tensor1d([1e30, 1e30]) };
    const s = await gradStats(grads, { explodingNorm: 1e40 });
    expect(s.layers[0].l2Norm / (Math.SQRT2 * 1e-30)).toBeCloseTo(1, 6);
    expect(s.layers[1].l2Norm / (Math.SQRT2 * 1e30)).toBeCloseTo(1, 6);
    expect(s.explodingLayers).toEqual([]);
    tf.dispose(Object.values(grads));
  });

  it('flags NaN and infinite gradients as exploding', async () => {
    const grads = { nan: tf.tensor1d([NaN, 1]), inf: tf.tensor1d([Infinity, 1]), ok: tf.tensor1d([1]) };
    const s = await gradStats(grads);
    expect(s.layers[0].l2Norm).toBeNaN();
    expect(s.layers[0].maxAbs).toBeNaN();
    expect(s.layers[1].l2Norm).toBe(Infinity);
    expect(s.explodingLayers).toEqual(['nan', 'inf']);
    expect(s.exploding).toBe(true);
    tf.dispose(Object.values(grads));
  });

  it('rejects thresholds out of order', async () => {
    await expect(gradStats({}, { vanishingNorm: 10, explodingNorm: 1 })).rejects.toThrow(
      /^thresholds.explodingNorm:/,
    );
  });
});

// Expected values follow torch.nn.utils.clip_grad_norm_ (1.13) by hand.
describe('clipGradNorm', () => {
  it('scales all gradients by max_norm / (total + 1e-6) when the total exceeds max_norm', async () => {
    const grads = { a: tf.tensor1d([3, 4]), b: tf.tensor1d([12]) }; // total 13
    const before = tf.memory().numTensors;
    const { grads: clipped, totalNorm } = await clipGradNorm(grads, 6.5);
    expect(tf.memory().numTensors).toBe(before + 2); // exactly the two returned tensors
    expect(totalNorm).toBeCloseTo(13, 5);
    const coef = 6.5 / (13 + 1e-6);
    const v = await values(clipped);
    v.a.forEach((x, i) => expect(x).toBeCloseTo([3, 4][i] * coef, 6));
    expect(v.b[0]).toBeCloseTo(12 * coef, 5);
    tf.dispose([...Object.values(grads), ...Object.values(clipped)]);
  });

  it('leaves gradients under max_norm as they are (coefficient clamped to 1)', async () => {
    const grads = { a: tf.tensor1d([3, 4]) };
    const out = await clipGradNorm(grads, 100);
    expect(await values(out.grads)).toEqual({ a: [3, 4] });
    tf.dispose([grads.a, out.grads.a]);
  });

  it('supports the inf norm and other p-norms', async () => {
    const grads = { a: tf.tensor1d([3, -4]), b: tf.tensor1d([12]) };
    expect((await clipGradNorm(grads, 100, Infinity)).totalNorm).toBe(12);
    expect((await clipGradNorm(grads, 100, 1)).totalNorm).toBeCloseTo(19, 5);
    expect((await clipGradNorm(grads, 100, 3)).totalNorm).toBeCloseTo((27 + 64 + 1728) ** (1 / 3), 4);
    tf.dispose(Object.values(grads));
  });

  it('scales by NaN for a NaN norm and by 0 for an infinite one, as PyTorch does', async () => {
    const nan = await clipGradNorm({ a: tf.tensor1d([NaN, 1]), b: tf.tensor1d([2]) }, 1);
    expect(nan.totalNorm).toBeNaN();
    expect(
      Object.values(await values(nan.grads))
        .flat()
        .every(Number.isNaN),
    ).toBe(true);
    const inf = await clipGradNorm({ a: tf.tensor1d([Infinity, 1]), b: tf.tensor1d([2]) }, 1);
    expect(inf.totalNorm).toBe(Infinity);
    expect(await values(inf.grads)).toEqual({ a: [NaN, 0], b: [0] });
  });

  it('throws for a non-finite norm when errorIfNonfinite is set, and returns 0 for no gradients', async () => {
    const g = tf.tensor1d([Infinity]);
    await expect(clipGradNorm({ g }, 1, 2, true)).rejects.toBeInstanceOf(NonFiniteGradientError);
    expect(await clipGradNorm({}, 1)).toEqual({ grads: {}, totalNorm: 0 });
    await expect(clipGradNorm({ g }, -1)).rejects.toThrow(/^maxNorm:/);
    await expect(clipGradNorm({ g }, 1, 0)).rejects.toThrow(/^normType:/);
    g.dispose();
  });
});

describe('clipGradValue', () => {
  it('clamps every element to [-clip, clip] into new tensors', async () => {
    const grads = { a: tf.tensor1d([-3, 0.5, 2]) };
    const out = clipGradValue(grads, 1);
    expect(await values(out)).toEqual({ a: [-1, 0.5, 1] });
    expect(() => clipGradValue(grads, -1)).toThrow(/^clipValue:/);
    tf.dispose([grads.a, out.a]);
  });
});
