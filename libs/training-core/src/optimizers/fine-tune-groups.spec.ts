import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors';
import { fineTuneGroups } from './fine-tune-groups';
import { matchesPattern } from './name-pattern';
import { SGD } from './sgd';

describe('fineTuneGroups', () => {
  let vars: tf.Variable[] = [];
  const names = ['ft/conv1/kernel', 'ft/conv1/bias', 'ft/conv2/kernel', 'ft/fc/kernel', 'ft/fc/bias'];

  beforeAll(async () => {
    await tf.setBackend('cpu');
    vars = names.map((n) => tf.variable(tf.zeros([1]), true, n));
  });
  afterAll(() => tf.dispose(vars));

  const namesOf = (vs: readonly tf.Variable[]) => vs.map((v) => v.name);

  it('puts pretrained layers at baseLr, the head at baseLr * 10 by default, frozen layers nowhere', () => {
    const plan = fineTuneGroups(vars, { head: 'ft/fc/*', frozen: 'ft/conv1/*', baseLr: 1e-3 });
    expect(plan.groups.map((g) => [g.name, namesOf(g.variables), g.lr])).toEqual([
      ['pretrained', ['ft/conv2/kernel'], 1e-3],
      ['head', ['ft/fc/kernel', 'ft/fc/bias'], 1e-2],
    ]);
    expect(namesOf(plan.frozen)).toEqual(['ft/conv1/kernel', 'ft/conv1/bias']);
    const opt = new SGD(plan.groups, { momentum: 0.9 });
    expect(opt.getLr()).toEqual([1e-3, 1e-2]);
    expect(opt.getInitialLr()).toEqual([1e-3, 1e-2]);
  });

  it('takes an explicit head LR, RegExps, lists and a weight decay', () => {
    const plan = fineTuneGroups(vars, {
      head: [/fc\/kernel$/, 'ft/fc/bias'],
      pretrained: /conv/,
      baseLr: 1e-4,
      headLr: 5e-3,
      weightDecay: 1e-4,
    });
    expect(plan.groups.map((g) => [g.name, g.variables.length, g.lr, g.weightDecay])).toEqual([
      ['pretrained', 3, 1e-4, 1e-4],
      ['head', 2, 5e-3, 1e-4],
    ]);
    expect(plan.frozen).toEqual([]);
  });

  it('gives frozen precedence over head and head over pretrained', () => {
    const plan = fineTuneGroups(vars, { head: 'ft/*', frozen: 'ft/conv*', baseLr: 0.1 });
    expect(plan.groups.map((g) => g.name)).toEqual(['head']);
    expect(namesOf(plan.groups[0].variables)).toEqual(['ft/fc/kernel', 'ft/fc/bias']);
  });

  it('rejects typos and bad LRs naming the field', () => {
    const fieldOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as ValidationError).violations[0].field;
      }
      return 'no error';
    };
    expect(
      fieldOf(() => fineTuneGroups(vars, { head: 'ft/fc/*', frozen: ['ft/conv1/*', 'ft/nope'], baseLr: 1 })),
    ).toBe('fineTune.frozen[1]');
    expect(fieldOf(() => fineTuneGroups(vars, { head: [], baseLr: 1 }))).toBe('fineTune.head');
    expect(
      fieldOf(() => fineTuneGroups(vars, { head: 'ft/fc/*', pretrained: 'ft/conv2/*', baseLr: 1 })),
    ).toBe('fineTune.pretrained');
    expect(fieldOf(() => fineTuneGroups(vars, { head: 'ft/fc/*', baseLr: -1 }))).toBe('fineTune.baseLr');
    expect(fieldOf(() => fineTuneGroups(vars, { head: 'ft/fc/*', baseLr: 1, headMultiplier: 0 }))).toBe(
      'fineTune.headMultiplier',
    );
  });

  it('matches globs on whole names and escapes regex characters', () => {
    expect(matchesPattern('dense_1/kernel', 'dense_?/*')).toBe(true);
    expect(matchesPattern('dense_1/kernel', 'dense')).toBe(false);
    expect(matchesPattern('a.b', 'a.b')).toBe(true);
    expect(matchesPattern('axb', 'a.b')).toBe(false);
    const sticky = /kernel/g;
    expect([matchesPattern('x/kernel', sticky), matchesPattern('y/kernel', sticky)]).toEqual([true, true]);
  });
});
