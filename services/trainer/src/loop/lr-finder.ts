import type { trainer } from '@athanor/contracts';
import * as tf from '@tensorflow/tfjs';
import { stepsPerEpoch } from '../data/data-source';
import { DivergedError, type TrainingSession } from './session';

export interface LrFinderOptions {
  readonly minLr: number;
  readonly maxLr: number;
  readonly iterations: number;
  /** EMA factor of the smoothed loss (fastai 0.98). */
  readonly beta: number;
  /** Stop when the smoothed loss exceeds this multiple of the best. */
  readonly divergence: number;
  readonly batchSize: number;
  readonly dropLast: boolean;
  /** Called between iterations (yield to the event loop, check cancellation). */
  readonly between?: () => Promise<void>;
}

export interface LrFinderResult {
  readonly points: trainer.LrCurvePoint[];
  readonly diverged: boolean;
  readonly suggestions: trainer.LrSuggestions;
}

/**
 * The LR range test (Smith 2017; fastai's lr_find): lr grows exponentially from minLr to maxLr, one
 * batch per step; the bias-corrected EMA of the loss is recorded; the sweep stops when it exceeds
 * `divergence` x its best or turns non-finite. The model's weights (BatchNorm statistics included)
 * are restored afterwards; the optimizer state is the session's to discard.
 */
export async function findLearningRate(
  session: TrainingSession,
  o: LrFinderOptions,
): Promise<LrFinderResult> {
  const saved = session.weights().map((w) => tf.clone(w));
  const points: trainer.LrCurvePoint[] = [];
  let diverged = false;
  try {
    const spe = stepsPerEpoch(session.data.trainSize, o.batchSize, o.dropLast);
    let avg = 0;
    let best = Infinity;
    for (let i = 0; i < o.iterations; i++) {
      const lr = o.minLr * (o.maxLr / o.minLr) ** (o.iterations === 1 ? 0 : i / (o.iterations - 1));
      session.applyLrs(session.optimizer.paramGroups.map(() => lr));
      const batch = session.data.trainBatch(Math.floor(i / spe), i % spe, o.batchSize);
      let loss: number;
      try {
        loss = (await session.step(batch, false)).loss;
      } catch (error) {
        if (!(error instanceof DivergedError)) throw error;
        diverged = true;
        break;
      }
      avg = o.beta * avg + (1 - o.beta) * loss;
      const smoothed = avg / (1 - o.beta ** (i + 1));
      points.push({ iteration: i, lr, loss, smoothedLoss: smoothed });
      if (!Number.isFinite(smoothed) || (i > 0 && smoothed > o.divergence * best)) {
        diverged = true;
        break;
      }
      best = Math.min(best, smoothed);
      await o.between?.();
    }
  } finally {
    session.model.weights.forEach((w, i) => w.write(saved[i]));
    tf.dispose(saved);
  }
  return { points, diverged, suggestions: suggestLearningRates(points) };
}

/**
 * fastai's suggestion functions over the smoothed curve, skipping the first tenth and the last five
 * points as fastai's lr_find does: steepest descent, minimum / 10, and valley (the middle of the
 * longest descending run of the loss); recommended: valley, else steepest, else minimum / 10.
 */
export function suggestLearningRates(points: readonly trainer.LrCurvePoint[]): trainer.LrSuggestions {
  const n = points.length;
  const start = Math.floor(n / 10);
  const end = n - 5 > start + 2 ? n - 5 : n;
  const window = points.slice(start, end);
  const lrs = window.map((p) => p.lr);
  const losses = window.map((p) => p.smoothedLoss);
  const out: trainer.LrSuggestions = {};
  if (window.length === 0) return out;
  let minIndex = 0;
  losses.forEach((l, i) => {
    if (l < losses[minIndex]) minIndex = i;
  });
  out.minimumDiv10 = lrs[minIndex] / 10;
  if (window.length >= 2) {
    let steepest = 0;
    let slope = Infinity;
    for (let i = 0; i < window.length - 1; i++) {
      const g = (losses[i + 1] - losses[i]) / (Math.log(lrs[i + 1]) - Math.log(lrs[i]));
      if (g < slope) {
        slope = g;
        steepest = i;
      }
    }
    if (slope < 0) out.steepest = lrs[steepest];
  }
  if (window.length >= 3) {
    // fastai's valley: longest decreasing subsequence of the loss, then 1/3 + 1/6 of the way into it.
    const lds = new Array<number>(window.length).fill(1);
    let maxStart = 0;
    let maxEnd = 0;
    for (let i = 1; i < window.length; i++) {
      for (let j = 0; j < i; j++) {
        if (losses[i] < losses[j] && lds[i] < lds[j] + 1) lds[i] = lds[j] + 1;
        if (lds[maxEnd] < lds[i]) {
          maxEnd = i;
          maxStart = maxEnd - lds[maxEnd];
        }
      }
    }
    const sections = (maxEnd - maxStart) / 3;
    const index = maxStart + Math.trunc(sections) + Math.trunc(sections / 2);
    if (maxEnd > maxStart) out.valley = lrs[Math.max(0, Math.min(index, window.length - 1))];
  }
  out.recommended = out.valley ?? out.steepest ?? out.minimumDiv10;
  return out;
}
