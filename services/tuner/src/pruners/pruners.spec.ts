import { describe, expect, it } from 'vitest';
import { bracketBudgets, bracketOf, hyperbandPruner } from './hyperband-pruner';
import { medianPruner } from './median-pruner';
import type { PrunerTrial } from './pruner';
import { rungResources, successiveHalvingPruner } from './successive-halving-pruner';

const trial = (number: number, state: PrunerTrial['state'], points: [number, number][]): PrunerTrial => ({
  id: `t${number}`,
  number,
  state,
  points: points.map(([step, loss]) => ({ step, loss })),
});

describe('ASHA (Li et al. 2020)', () => {
  const asha = successiveHalvingPruner({
    minResource: 1,
    reductionFactor: 2,
    minEarlyStoppingRate: 0,
    synchronous: false,
  });

  it('places rungs at min_resource * eta^(s + k)', () => {
    expect(
      rungResources({ minResource: 1, reductionFactor: 3, minEarlyStoppingRate: 1, synchronous: false }, 30),
    ).toEqual([3, 9, 27]);
  });

  it('promotes the top 1/eta at a rung and stops the rest', () => {
    const others = [
      trial(0, 'COMPLETED', [
        [1, 1],
        [2, 0.5],
      ]),
      trial(1, 'COMPLETED', [
        [1, 3],
        [2, 2],
      ]),
      trial(2, 'PRUNED', [[1, 4]]),
    ];
    const good = trial(3, 'RUNNING', [[1, 0.9]]);
    expect(asha.shouldPrune({ trial: good, step: 1, trials: [...others, good] })).toBe(false);
    const bad = trial(4, 'RUNNING', [[1, 3.5]]);
    expect(asha.shouldPrune({ trial: bad, step: 1, trials: [...others, good, bad] })).toBe(true);
    // At rung 2 (resource 2) three trials compete: only floor(3 / 2) = 1, the best, goes on.
    const climbing = trial(5, 'RUNNING', [
      [1, 0.8],
      [2, 0.4],
    ]);
    expect(asha.shouldPrune({ trial: climbing, step: 2, trials: [...others, climbing] })).toBe(false);
    const lagging = trial(6, 'RUNNING', [
      [1, 0.8],
      [2, 1.5],
    ]);
    expect(asha.shouldPrune({ trial: lagging, step: 2, trials: [...others, lagging] })).toBe(true);
    // Between rungs nothing is decided.
    const mid = trial(7, 'RUNNING', [
      [1, 0.8],
      [2, 0.4],
      [3, 100],
    ]);
    expect(asha.shouldPrune({ trial: mid, step: 3, trials: [...others, mid] })).toBe(false);
  });

  it('promotes the first trial at an empty rung (nothing to compare with)', () => {
    const first = trial(0, 'RUNNING', [[1, 10]]);
    expect(asha.shouldPrune({ trial: first, step: 1, trials: [first] })).toBe(false);
  });

  it('synchronous successive halving waits for eta trials at a rung before deciding', () => {
    const sha = successiveHalvingPruner({
      minResource: 1,
      reductionFactor: 3,
      minEarlyStoppingRate: 0,
      synchronous: true,
    });
    const a = trial(0, 'COMPLETED', [[1, 1]]);
    const b = trial(1, 'RUNNING', [[1, 5]]);
    expect(sha.shouldPrune({ trial: b, step: 1, trials: [a, b] })).toBe(false);
    const c = trial(2, 'RUNNING', [[1, 6]]);
    expect(sha.shouldPrune({ trial: c, step: 1, trials: [a, b, c] })).toBe(true);
  });
});

describe('median stopping rule', () => {
  const median = medianPruner({ nStartupTrials: 2, nWarmupSteps: 1, intervalSteps: 1 });
  const done = [
    trial(0, 'COMPLETED', [
      [1, 1],
      [2, 1],
    ]),
    trial(1, 'COMPLETED', [
      [1, 3],
      [2, 3],
    ]),
    trial(2, 'COMPLETED', [
      [1, 5],
      [2, 5],
    ]),
  ];

  it('stops a trial whose best value is worse than the median at the same step', () => {
    const bad = trial(3, 'RUNNING', [
      [1, 4],
      [2, 3.5],
    ]);
    expect(median.shouldPrune({ trial: bad, step: 2, trials: [...done, bad] })).toBe(true);
    const ok = trial(4, 'RUNNING', [
      [1, 2.5],
      [2, 4],
    ]);
    expect(median.shouldPrune({ trial: ok, step: 2, trials: [...done, ok] })).toBe(false);
  });

  it('waits for its startup trials and warm-up steps', () => {
    const bad = trial(3, 'RUNNING', [[0, 100]]);
    expect(median.shouldPrune({ trial: bad, step: 0, trials: [...done, bad] })).toBe(false);
    expect(median.shouldPrune({ trial: trial(3, 'RUNNING', [[1, 100]]), step: 1, trials: [done[0]] })).toBe(
      false,
    );
  });
});

describe('Hyperband (Li et al. 2017)', () => {
  it('budgets brackets as n_s = ceil((s_max + 1) eta^s / (s + 1)) and spreads trials over them', () => {
    expect(bracketBudgets(2, 3)).toEqual([3, 5, 9]);
    const counts = [0, 0, 0];
    for (let n = 0; n < 1700; n++) counts[bracketOf(n, [3, 5, 9])]++;
    expect(counts[0] / 1700).toBeCloseTo(3 / 17, 1);
    expect(counts[2] / 1700).toBeCloseTo(9 / 17, 1);
  });

  it('does not prune before it knows the maximum resource', () => {
    const hb = hyperbandPruner({ minResource: 1, maxResource: 0, reductionFactor: 3 });
    const t = trial(0, 'RUNNING', [[1, 100]]);
    expect(hb.shouldPrune({ trial: t, step: 1, trials: [t] })).toBe(false);
  });
});
