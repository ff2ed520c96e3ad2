import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { requirePlan } from '../plan';
import { initFromJson, specFromJson } from '../testing/specs';
import { inspectInitialization } from './inspect-initialization';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('inspectInitialization', () => {
  // He et al. 2015: with ReLU, Xavier (Var = 2 / (fan_in + fan_out) = 1 / n) halves the signal's
  // second moment at every layer, so activation std falls by sqrt(2) per layer; Kaiming (2 / fan_in)
  // keeps it. Over 19 layers that is a factor 2^-9.5 ~ 1.4e-3 versus ~1.
  it('shows activations vanishing through a 20-layer ReLU MLP under Xavier, preserved under Kaiming', () => {
    const plan = requirePlan(
      specFromJson({ inputShape: [128], numClasses: 10, mlp: { depth: 20, width: 128 } }),
    );
    const zeroBias = { zeros: {} };
    const [xavier, kaiming] = inspectInitialization(
      plan,
      [
        { label: 'xavier_normal', init: initFromJson({ dense: { xavierNormal: {} }, bias: zeroBias }) },
        {
          label: 'kaiming_normal',
          init: initFromJson({
            dense: { kaimingNormal: { nonlinearity: 'NONLINEARITY_RELU' } },
            bias: zeroBias,
          }),
        },
      ],
      { batchSize: 256, seed: 1 },
    );
    const stds = (r: typeof xavier) =>
      r.layers.filter((l) => l.className === 'ReLU').map((l) => l.activationStd);
    expect(xavier.label).toBe('xavier_normal');
    expect(xavier.init!.seed).toBe(1);
    expect(stds(xavier)).toHaveLength(20);
    expect(xavier.activationStdRatio).toBeGreaterThan(2 ** -9.5 / 3);
    expect(xavier.activationStdRatio).toBeLessThan(2 ** -9.5 * 3);
    expect(kaiming.activationStdRatio).toBeGreaterThan(0.3);
    expect(kaiming.activationStdRatio).toBeLessThan(3);
    expect(xavier.warnings.join('\n')).toMatch(/activation std falls .*x over 20 layers .*: vanishing/);
    expect(kaiming.warnings.filter((w) => /activation std/.test(w))).toEqual([]);
    // Kernel gradients are (backward signal) x (forward activation): under Xavier both shrink by
    // sqrt(2) per layer in opposite directions, so the kernel-gradient ratio stays O(1) (Glorot & Bengio).
    expect(Number.isFinite(xavier.gradientNormRatio)).toBe(true);
    // ReLU zeroes about half the units per example, but (near the input) hardly a unit for the whole batch.
    expect(kaiming.layers.find((l) => l.layer === 'act0')!.deadUnitFraction).toBeLessThan(0.05);
    // About ln(10) for a classifier whose logits are small.
    expect(xavier.loss).toBeGreaterThan(2.2);
    expect(xavier.loss).toBeLessThan(2.4);
  });

  it('flags dead units and leaves no tensors behind', () => {
    const plan = requirePlan(specFromJson({ inputShape: [8], numClasses: 3, mlp: { depth: 2, width: 8 } }));
    const before = tf.memory().numTensors;
    const [report] = inspectInitialization(
      plan,
      [{ init: initFromJson({ bias: { constant: { value: -100 } } }) }],
      { batchSize: 16 },
    );
    expect(report.label).toBe('candidate0');
    expect(report.layers.find((l) => l.layer === 'act0')!.deadUnitFraction).toBe(1);
    expect(report.warnings).toContain('act0: 100% of units are dead');
    expect(tf.memory().numTensors).toBe(before);
  });
});
