import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { Rng } from '../random';
import { constant, ones, uniform, zeros } from './basic';
import { toTensor } from './host-tensor';
import { kaimingNormal, kaimingUniform } from './kaiming';
import {
  pytorchDefaultBias,
  pytorchDefaultKernel,
  pytorchDefaultLayer,
  pytorchDefaultRecurrent,
} from './pytorch-defaults';
import { truncatedNormal } from './truncated-normal';
import { xavierNormal, xavierUniform } from './xavier';

function moments(values: Float32Array): {
  mean: number;
  std: number;
  maxAbs: number;
  min: number;
  max: number;
} {
  let sum = 0;
  let sumSq = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    sum += v;
    sumSq += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / values.length;
  return { mean, std: Math.sqrt(sumSq / values.length - mean * mean), maxAbs: Math.max(-min, max), min, max };
}

const relative = (actual: number, expected: number) => Math.abs(actual - expected) / expected;

// Large samples (about 1e6 values each): the std of the sample is within 2% of the formula
// (its own sampling error is ~0.1%), and uniform draws never leave their bounds.
describe('variance-scaling initializers on 1e6 samples', () => {
  it('xavierUniform: U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out))', () => {
    const w = xavierUniform([1000, 1000], { random: 1, gain: 5 / 3 });
    const bound = (5 / 3) * Math.sqrt(6 / 2000);
    const m = moments(w.values);
    expect(m.maxAbs).toBeLessThanOrEqual(bound);
    expect(m.maxAbs).toBeGreaterThan(bound * 0.999);
    expect(relative(m.std, bound / Math.sqrt(3))).toBeLessThan(0.02);
    expect(Math.abs(m.mean)).toBeLessThan(bound * 0.01);
  });

  it('xavierNormal on a conv kernel: std = gain * sqrt(2 / (fan_in + fan_out))', () => {
    const shape = [3, 3, 256, 512]; // fan_in 2304, fan_out 4608
    const m = moments(xavierNormal(shape, { random: 2 }).values);
    expect(relative(m.std, Math.sqrt(2 / (2304 + 4608)))).toBeLessThan(0.02);
  });

  it('kaimingNormal fan_out relu (the seed guide`s conv example): std = sqrt(2) / sqrt(fan_out)', () => {
    const m = moments(
      kaimingNormal([3, 3, 256, 512], { random: 3, mode: 'fan_out', nonlinearity: 'relu' }).values,
    );
    expect(relative(m.std, Math.SQRT2 / Math.sqrt(9 * 512))).toBeLessThan(0.02);
  });

  it('kaimingUniform leaky_relu a = 0.2: bound = sqrt(3) * sqrt(2 / 1.04) / sqrt(fan_in)', () => {
    const w = kaimingUniform([1000, 1000], { random: 4, a: 0.2 });
    const bound = (Math.sqrt(3) * Math.sqrt(2 / 1.04)) / Math.sqrt(1000);
    const m = moments(w.values);
    expect(m.maxAbs).toBeLessThanOrEqual(bound);
    expect(relative(m.std, bound / Math.sqrt(3))).toBeLessThan(0.02);
  });

  it('PyTorch Linear/Conv default: weight and bias U(-1/sqrt(fan_in), 1/sqrt(fan_in))', () => {
    const shape = [3, 3, 128, 1000]; // fan_in 1152
    const bound = 1 / Math.sqrt(1152);
    const { kernel, bias } = pytorchDefaultLayer(shape, [100_000], { random: 5 });
    const k = moments(kernel.values);
    expect(k.maxAbs).toBeLessThanOrEqual(bound);
    expect(relative(k.std, bound / Math.sqrt(3))).toBeLessThan(0.02);
    const b = moments(bias!.values);
    expect(b.maxAbs).toBeLessThanOrEqual(bound);
    expect(relative(b.std, bound / Math.sqrt(3))).toBeLessThan(0.02);
    expect(pytorchDefaultKernel([64, 10], { random: 1 }).values).toEqual(
      pytorchDefaultLayer([64, 10], null, { random: 1 }).kernel.values,
    );
    expect(pytorchDefaultBias([4], 0, { random: 1 }).values).toEqual(new Float32Array(4));
    expect(
      moments(pytorchDefaultRecurrent([100, 400], 100, { random: 1 }).values).maxAbs,
    ).toBeLessThanOrEqual(0.1);
  });

  it('truncatedNormal: inside [a, b] with the truncated distribution`s std', () => {
    // Var of N(mu, s^2) cut to [a, b] = s^2 [1 + (al phi(al) - be phi(be)) / Z - ((phi(al) - phi(be)) / Z)^2].
    const expectedStd = (mean: number, std: number, a: number, b: number, z: number) => {
      const phi = (x: number) => Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
      const al = (a - mean) / std;
      const be = (b - mean) / std;
      return std * Math.sqrt(1 + (al * phi(al) - be * phi(be)) / z - ((phi(al) - phi(be)) / z) ** 2);
    };
    const t = truncatedNormal([1_000_000], { random: 6, mean: 1, std: 2, a: -1, b: 4 });
    const m = moments(t.values);
    expect(m.min).toBeGreaterThanOrEqual(-1);
    expect(m.max).toBeLessThanOrEqual(4);
    // Z = Phi(1.5) - Phi(-1) = 0.9331928 - 0.1586553
    expect(relative(m.std, expectedStd(1, 2, -1, 4, 0.9331928 - 0.1586553))).toBeLessThan(0.02);
    // Far in the upper tail (mirrored internally): Z = Phi(-3) - Phi(-4) = 1.3499e-3 - 3.167e-5
    const tail = moments(truncatedNormal([200_000], { random: 7, a: 3, b: 4 }).values);
    expect(tail.min).toBeGreaterThanOrEqual(3);
    expect(tail.max).toBeLessThanOrEqual(4);
    expect(relative(tail.std, expectedStd(0, 1, 3, 4, 1.349898e-3 - 3.1671242e-5))).toBeLessThan(0.02);
    // PyTorch's defaults: N(0, 1) cut at +-2.
    const d = moments(truncatedNormal([200_000], { random: 8 }).values);
    expect(d.maxAbs).toBeLessThanOrEqual(2);
  });
});

describe('reproducibility and the constant initializers', () => {
  it('gives the same values bit for bit for a seed, and pins the stream', () => {
    const a = xavierNormal([64, 32], { random: 11 });
    expect(xavierNormal([64, 32], { random: 11 }).values).toEqual(a.values);
    expect(xavierNormal([64, 32], { random: 12 }).values).not.toEqual(a.values);
    const rng = new Rng(11);
    expect(xavierNormal([64, 32], { random: rng }).values).toEqual(a.values);
    expect(xavierNormal([64, 32], { random: rng }).values).not.toEqual(a.values); // a shared Rng advances
    // Golden values: a change here changes every seeded model in every checkpoint and study.
    expect(Array.from(uniform([3], { random: 1 }).values)).toEqual(GOLDEN);
  });

  it('zeros, ones, constant, and a tf.Tensor from a HostTensor', async () => {
    expect(Array.from(zeros([2, 2]).values)).toEqual([0, 0, 0, 0]);
    expect(Array.from(ones([3]).values)).toEqual([1, 1, 1]);
    const c = constant([2, 3], 0.5);
    expect(c.shape).toEqual([2, 3]);
    await tf.setBackend('cpu');
    const t = toTensor(c);
    expect(t.shape).toEqual([2, 3]);
    expect(Array.from(await t.data())).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    t.dispose();
  });

  it('rejects bad options naming the field', () => {
    expect(() => kaimingNormal([4, 4], { random: 1, mode: 'fan_sideways' as never })).toThrow(/^mode:/);
    expect(() => truncatedNormal([4], { random: 1, a: 2, b: 1 })).toThrow(/^b:/);
    expect(() => truncatedNormal([4], { random: 1, std: 0 })).toThrow(/^std:/);
    expect(() => xavierUniform([4, 4], { random: 1, gain: -1 })).toThrow(/^gain:/);
    expect(() => constant([2], Number.NaN)).toThrow(/^value:/);
    expect(() => zeros([2, 1.5])).toThrow(/^shape\[1\]:/);
    expect(() => xavierUniform([0, 0], { random: 1 })).toThrow(/^shape:/);
  });
});

const GOLDEN = [0.5686060190200806, 0.8893939256668091, 0.47058242559432983];
