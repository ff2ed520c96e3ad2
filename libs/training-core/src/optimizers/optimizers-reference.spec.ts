import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// Gradients are registered separately from the ops; the tests need them for tf.variableGrads.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import fixture from '../../fixtures/optimizers.json';
import { Adam } from './adam';
import { AdamW } from './adamw';
import type { Optimizer } from './optimizer';
import type { BaseParamGroup } from './param-group';
import { RMSprop } from './rmsprop';
import { SGD } from './sgd';

// PyTorch 1.13's own trajectories (tools/make-optimizer-fixtures.py, float64) on least squares with
// two parameter groups and an LR (and sometimes momentum/beta1) that changes every step.

interface Case {
  name: string;
  optimizer: string;
  defaults: Record<string, unknown>;
  groups: Record<string, unknown>[];
  lrs: number[][];
  momenta: number[][] | null;
  cycled: string | null;
  checkpoints: Record<string, { W: number[]; b: number[] }>;
}

const cases = fixture.cases as Case[];

// PyTorch keyword names -> ours.
function options(torchOptions: Record<string, unknown>): Record<string, unknown> {
  const renamed: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(torchOptions)) renamed[k === 'weight_decay' ? 'weightDecay' : k] = v;
  return renamed;
}

function makeOptimizer(c: Case, w: tf.Variable, b: tf.Variable): Optimizer<BaseParamGroup> {
  const groups = [
    { variables: [w], ...options(c.groups[0]) },
    { variables: [b], ...options(c.groups[1]) },
  ];
  const defaults = options(c.defaults);
  switch (c.optimizer) {
    case 'SGD':
      return new SGD(groups, defaults);
    case 'Adam':
      return new Adam(groups, defaults);
    case 'AdamW':
      return new AdamW(groups, defaults);
    case 'RMSprop':
      return new RMSprop(groups, defaults);
    default:
      throw new Error(`unknown optimizer ${c.optimizer}`);
  }
}

// Our side is float32 and PyTorch's float64, so elementwise relative error is meaningless near
// zero entries; the metric is the norm-relative error ||ours - torch||_2 / ||torch||_2 over all
// parameters (W and b concatenated).
function normRelativeError(ours: number[], reference: number[]): number {
  let diff = 0;
  let norm = 0;
  reference.forEach((r, i) => {
    diff += (ours[i] - r) ** 2;
    norm += r * r;
  });
  return Math.sqrt(diff / norm);
}

describe('optimizers against PyTorch 1.13 (fixtures/optimizers.json)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  const worst: Record<string, number> = {};

  for (const c of cases) {
    it(`${c.name}: ${fixture.steps} steps within 1e-5 norm-relative error`, () => {
      const x = tf.tensor2d(fixture.X.values, fixture.X.shape as [number, number]);
      const y = tf.tensor2d(fixture.Y.values, fixture.Y.shape as [number, number]);
      const w = tf.variable(
        tf.tensor2d(fixture.W0.values, fixture.W0.shape as [number, number]),
        true,
        `${c.name}/W`,
      );
      const b = tf.variable(tf.tensor1d(fixture.b0.values), true, `${c.name}/b`);
      const optimizer = makeOptimizer(c, w, b);
      let maxError = 0;
      for (let t = 0; t < fixture.steps; t++) {
        optimizer.setLr(c.lrs[t]);
        if (c.momenta) optimizer.setMomentum(c.momenta[t]);
        const { value, grads } = tf.variableGrads(() =>
          tf.mean<tf.Scalar>(tf.square(tf.sub(tf.add(tf.matMul(x, w), b), y))),
        );
        optimizer.step(grads);
        value.dispose();
        tf.dispose(grads);
        const expected = c.checkpoints[String(t + 1)];
        if (expected) {
          const ours = [...w.dataSync(), ...b.dataSync()];
          const error = normRelativeError(ours, [...expected.W, ...expected.b]);
          maxError = Math.max(maxError, error);
          expect(error, `after step ${t + 1}`).toBeLessThan(1e-5);
        }
      }
      worst[c.name] = maxError;
      optimizer.dispose();
      tf.dispose([x, y, w, b]);
    });
  }

  it('reports the measured errors', () => {
    // Printed so that the README's accuracy figures can be checked against a run.
    console.log('optimizer norm-relative error vs PyTorch:', worst);
    expect(Object.keys(worst)).toHaveLength(cases.length);
  });
});
