import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors';
import { Adam } from './adam';
import { AdamW } from './adamw';
import type { Optimizer } from './optimizer';
import type { BaseParamGroup } from './param-group';
import { RMSprop } from './rmsprop';
import { SGD } from './sgd';

let unique = 0;
function variable(values: number[], trainable = true): tf.Variable {
  return tf.variable(tf.tensor1d(values), trainable, `opt-spec-${unique++}`);
}

/** Gradients of sum((v - 3)^2) for each variable, computed by hand: 2 (v - 3). */
function grads(vars: tf.Variable[]): tf.NamedTensorMap {
  return Object.fromEntries(vars.map((v) => [v.name, tf.tidy(() => tf.mul(tf.sub(v, 3), 2))]));
}

function stepOnce(opt: Optimizer<BaseParamGroup>, vars: tf.Variable[]): void {
  const g = grads(vars);
  opt.step(g);
  tf.dispose(g);
}

function errorOf(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('expected a ValidationError');
}

const makers: [string, (vars: tf.Variable[]) => Optimizer<BaseParamGroup>][] = [
  [
    'SGD (nesterov, weight decay)',
    (v) => new SGD(v, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-3 }),
  ],
  ['Adam (amsgrad)', (v) => new Adam(v, { amsgrad: true, weightDecay: 1e-3 })],
  ['AdamW', (v) => new AdamW(v, { amsgrad: true })],
  [
    'RMSprop (centered, momentum)',
    (v) => new RMSprop(v, { centered: true, momentum: 0.9, weightDecay: 1e-3 }),
  ],
];

describe('Optimizer', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const [label, make] of makers) {
    it(`${label}: holds as many tensors after 100 steps as after 1, and releases them on dispose`, () => {
      const vars = [variable([1, 2, 3]), variable([4, 5])];
      const before = tf.memory().numTensors;
      const opt = make(vars);
      stepOnce(opt, vars);
      const afterOne = tf.memory().numTensors;
      for (let i = 0; i < 99; i++) stepOnce(opt, vars);
      expect(tf.memory().numTensors).toBe(afterOne);
      expect(afterOne).toBeGreaterThan(before); // the slots exist
      opt.dispose();
      expect(tf.memory().numTensors).toBe(before);
      expect(() => stepOnce(opt, vars)).toThrow(/dispose/);
      tf.dispose(vars);
    });

    it(`${label}: continues identically after getState/setState into a fresh optimizer`, async () => {
      const vars = [variable([1, 2, 3]), variable([-4, 5])];
      const opt = make(vars);
      for (let i = 0; i < 5; i++) stepOnce(opt, vars);
      const state = await opt.getState();
      const saved = vars.map((v) => v.dataSync().slice());
      for (let i = 0; i < 5; i++) stepOnce(opt, vars);
      const expected = vars.map((v) => Array.from(v.dataSync()));

      vars.forEach((v, i) => v.assign(tf.tensor1d(saved[i])));
      const other = make(vars);
      other.setState(state);
      expect(other.stepCount).toBe(5);
      for (let i = 0; i < 5; i++) stepOnce(other, vars);
      expect(vars.map((v) => Array.from(v.dataSync()))).toEqual(expected);
      opt.dispose();
      other.dispose();
      tf.dispose(vars);
    });
  }

  it('exports slots as Float32Array with shapes, per-variable steps and group hyperparameters', async () => {
    const w = variable([1, 2]);
    const opt = new Adam([w], { lr: 0.01 });
    stepOnce(opt, [w]);
    opt.setLr(0.005);
    const state = await opt.getState();
    expect(state.kind).toBe('adam');
    expect(state.stepCount).toBe(1);
    expect(state.groups[0]).toMatchObject({
      lr: 0.005,
      initialLr: 0.01,
      betas: [0.9, 0.999],
      eps: 1e-8,
      amsgrad: false,
    });
    const slots = state.variables[w.name];
    expect(slots.step).toBe(1);
    expect(Object.keys(slots.slots).sort()).toEqual(['expAvg', 'expAvgSq']);
    expect(slots.slots.expAvg.values).toBeInstanceOf(Float32Array);
    expect(slots.slots.expAvg.shape).toEqual([2]);
    // m = (1 - 0.9) * g with g = 2 (w - 3) = [-4, -2]
    expect(Array.from(slots.slots.expAvg.values)).toEqual([Math.fround(-0.4), Math.fround(-0.2)]);
    opt.dispose();
    w.dispose();
  });

  it('rejects a state of another kind, shape or variable, leaving the optimizer unchanged', async () => {
    const w = variable([1, 2]);
    const sgd = new SGD([w], { lr: 0.1, momentum: 0.9 });
    stepOnce(sgd, [w]);
    const state = await sgd.getState();
    const adam = new Adam([w]);
    expect(errorOf(() => adam.setState(state)).violations[0].field).toBe('state.kind');
    const badShape = {
      ...state,
      variables: {
        [w.name]: { step: 1, slots: { momentumBuffer: { shape: [3], values: new Float32Array(3) } } },
      },
    };
    expect(errorOf(() => sgd.setState(badShape)).violations[0].field).toBe(
      `state.variables["${w.name}"].slots.momentumBuffer.shape`,
    );
    const unknown = { ...state, variables: { nope: state.variables[w.name] } };
    expect(errorOf(() => sgd.setState(unknown)).violations[0].field).toBe('state.variables["nope"]');
    expect((await sgd.getState()).variables[w.name].slots.momentumBuffer.values).toEqual(
      state.variables[w.name].slots.momentumBuffer.values,
    );
    sgd.dispose();
    adam.dispose();
    w.dispose();
  });

  it('applies each group its own LR and weight decay, and keeps initialLr as the schedule base', () => {
    const a = variable([0]);
    const b = variable([0]);
    const opt = new SGD(
      [
        { variables: [a], lr: 0.1 },
        { variables: [b], lr: 0.01, weightDecay: 0.5, name: 'head' },
      ],
      { lr: 1 },
    );
    expect(opt.paramGroups.map((g) => g.name)).toEqual(['group0', 'head']);
    stepOnce(opt, [a, b]); // g = -6 for both
    expect(a.dataSync()[0]).toBeCloseTo(0.6, 6);
    expect(b.dataSync()[0]).toBeCloseTo(0.06, 6);
    opt.setLr([0.2, 0.02]);
    expect(opt.getLr()).toEqual([0.2, 0.02]);
    expect(opt.getInitialLr()).toEqual([0.1, 0.01]);
    opt.dispose();
    tf.dispose([a, b]);
  });

  it('uses the gradient itself as the first SGD momentum buffer (PyTorch), not (1 - dampening) * g', () => {
    const w = variable([0]);
    const opt = new SGD([w], { lr: 1, momentum: 0.9, dampening: 0.5 });
    stepOnce(opt, [w]); // g = -6, buf = -6
    expect(w.dataSync()[0]).toBeCloseTo(6, 6);
    stepOnce(opt, [w]); // g = 6, buf = 0.9 * -6 + 0.5 * 6 = -2.4
    expect(w.dataSync()[0]).toBeCloseTo(8.4, 5);
    opt.dispose();
    w.dispose();
  });

  it('writes momentum to betas[0] for Adam and to momentum for SGD and RMSprop', () => {
    const w = variable([0]);
    const adam = new Adam([w], { betas: [0.9, 0.99] });
    adam.setMomentum(0.85);
    expect(adam.paramGroups[0].betas).toEqual([0.85, 0.99]);
    expect(adam.getMomentum()).toEqual([0.85]);
    const sgd = new SGD([w], { lr: 0.1, momentum: 0.9 });
    sgd.setMomentum([0.8]);
    expect(sgd.paramGroups[0].momentum).toBe(0.8);
    expect(errorOf(() => adam.setMomentum(1)).violations[0].field).toBe('optimizer.paramGroups[0].betas[0]');
    expect(adam.getMomentum()).toEqual([0.85]);
    w.dispose();
  });

  it('skips variables that are not trainable or have no gradient', () => {
    const trained = variable([0]);
    const frozen = variable([0], false);
    const noGrad = variable([0]);
    const opt = new Adam([trained, frozen, noGrad], { lr: 0.1 });
    const g = grads([trained, frozen]);
    opt.step(g);
    tf.dispose(g);
    expect(trained.dataSync()[0]).not.toBe(0);
    expect(frozen.dataSync()[0]).toBe(0);
    expect(noGrad.dataSync()[0]).toBe(0);
    opt.dispose();
    tf.dispose([trained, frozen, noGrad]);
  });

  it('rejects invalid hyperparameters naming the field', () => {
    const w = variable([0]);
    expect(errorOf(() => new Adam([w], { betas: [0.9, 1] })).violations[0].field).toBe('optimizer.betas[1]');
    expect(errorOf(() => new SGD([w])).violations[0].field).toBe('optimizer.paramGroups[0].lr');
    expect(errorOf(() => new SGD([w], { lr: 0.1, nesterov: true })).violations[0].field).toBe(
      'optimizer.nesterov',
    );
    expect(errorOf(() => new RMSprop([w], { alpha: -1 })).violations[0].field).toBe('optimizer.alpha');
    expect(errorOf(() => new AdamW([w], { eps: -1 })).violations[0].field).toBe('optimizer.eps');
    expect(
      errorOf(() => new SGD([{ variables: [w] }, { variables: [w] }], { lr: 0.1 })).violations[0].field,
    ).toBe('optimizer.paramGroups[1].variables[0]');
    expect(errorOf(() => new SGD([], { lr: 0.1 })).violations[0].field).toBe('params');
    const opt = new SGD([{ variables: [w], lr: 0.1 }], { lr: 0.1 });
    expect(errorOf(() => opt.setLr(-1)).violations[0].field).toBe('optimizer.paramGroups[0].lr');
    opt.paramGroups[0].lr = Number.NaN; // a scheduler bug is caught at the next step
    expect(errorOf(() => opt.step({})).violations[0].field).toBe('optimizer.paramGroups[0].lr');
    opt.paramGroups[0].lr = 0.1;
    const bad = { [w.name]: tf.zeros([2]) };
    expect(errorOf(() => opt.step(bad)).violations[0].field).toBe(`grads["${w.name}"]`);
    tf.dispose([w, bad[w.name]]);
  });
});

describe('update rules by hand', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('adds eps after the square root in Adam and RMSprop (PyTorch), not inside it', () => {
    // First Adam step: m_hat = g, v_hat = g^2, so w <- w - lr * g / (|g| + eps); with g = -6, eps = 1.
    const a = variable([0]);
    const adam = new Adam([a], { lr: 1, eps: 1 });
    stepOnce(adam, [a]);
    expect(a.dataSync()[0]).toBeCloseTo(6 / 7, 6);
    // First RMSprop step: v = (1 - alpha) g^2, w <- w - lr * g / (sqrt(v) + eps).
    const r = variable([0]);
    const rms = new RMSprop([r], { lr: 1, alpha: 0.75, eps: 1 });
    stepOnce(rms, [r]);
    expect(r.dataSync()[0]).toBeCloseTo(6 / (Math.sqrt(0.25 * 36) + 1), 6);
    adam.dispose();
    rms.dispose();
    tf.dispose([a, r]);
  });

  it('decays AdamW weights by (1 - lr * wd) independently of the gradient', () => {
    const w = variable([3]); // g = 0 at w = 3, so only the decay moves it
    const opt = new AdamW([w], { lr: 0.1, weightDecay: 0.5 });
    stepOnce(opt, [w]);
    expect(w.dataSync()[0]).toBeCloseTo(3 * 0.95, 6);
    opt.dispose();
    w.dispose();
  });
});
