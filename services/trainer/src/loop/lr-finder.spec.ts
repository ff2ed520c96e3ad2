import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCompute } from '@athanor/compute';
import { describe, expect, it } from 'vitest';
import { resolveTrainConfig } from '../run-config/resolve-config';
import { tinyConfig } from '../testing/tiny-config';
import { findLearningRate, suggestLearningRates } from './lr-finder';
import { prepareSession } from './prepare-session';

/** A textbook LR range test curve: flat, a descent around 1e-3..1e-1, then divergence. */
function curve(n = 100): { iteration: number; lr: number; loss: number; smoothedLoss: number }[] {
  return Array.from({ length: n }, (_, i) => {
    const lr = 1e-6 * 1e7 ** (i / (n - 1));
    const x = Math.log10(lr);
    const loss = 2.3 - 1.8 / (1 + Math.exp(-3 * (x + 2.5))) + (x > -0.5 ? 5 * (x + 0.5) ** 2 : 0);
    return { iteration: i, lr, loss, smoothedLoss: loss };
  });
}

describe("suggestLearningRates (fastai's lr_find suggestions)", () => {
  it('finds the steepest descent, the minimum / 10 and the valley', () => {
    const s = suggestLearningRates(curve());
    expect(Math.log10(s.steepest!)).toBeCloseTo(-2.5, 0);
    expect(s.minimumDiv10!).toBeGreaterThan(1e-3);
    expect(s.minimumDiv10!).toBeLessThan(1e-1);
    expect(s.valley!).toBeGreaterThan(1e-4);
    expect(s.valley!).toBeLessThan(1e-1);
    expect(s.recommended).toBe(s.valley);
  });

  it('gives what it can for short or flat curves', () => {
    expect(suggestLearningRates([])).toEqual({});
    const flat = suggestLearningRates(curve(3).map((p) => ({ ...p, smoothedLoss: 1 })));
    expect(flat.steepest).toBeUndefined();
    expect(flat.valley).toBeUndefined();
    expect(flat.recommended).toBe(flat.minimumDiv10);
  });
});

describe('findLearningRate', () => {
  it('sweeps the lr exponentially, stops when the loss diverges and restores the weights', async () => {
    await initCompute();
    const dir = mkdtempSync(join(tmpdir(), 'athanor-lrfind-'));
    const session = await prepareSession(resolveTrainConfig(tinyConfig()), {
      dataRoot: dir,
      cacheDir: join(dir, 'cache'),
    });
    try {
      const before = session.weights().map((w) => Array.from(w.dataSync()));
      const result = await findLearningRate(session, {
        minLr: 1e-4,
        maxLr: 1e3,
        iterations: 50,
        beta: 0.98,
        divergence: 4,
        batchSize: 32,
        dropLast: false,
      });
      expect(result.points[0].lr).toBeCloseTo(1e-4, 12);
      expect(result.points[1].lr / result.points[0].lr).toBeCloseTo(10 ** (7 / 49), 9);
      expect(result.diverged).toBe(true);
      expect(result.points.length).toBeLessThan(50);
      expect(session.weights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    } finally {
      session.dispose();
      session.model.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
