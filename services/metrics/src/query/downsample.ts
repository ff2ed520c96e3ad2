import type { SeriesPoints } from '../store/series-buffer';

export type DownsampleMethod = 'lttb' | 'mean' | 'last';

/**
 * Reduces a series to at most `maxPoints` points (0 = no limit). Every method keeps the last step
 * in range (the newest value matters most while a run trains); lttb keeps the first one too.
 *
 * - lttb: Largest-Triangle-Three-Buckets (Steinarsson 2013, "Downsampling Time Series for Visual
 *   Representation"): keeps real points, chosen to preserve the visual shape (spikes survive).
 * - mean: the mean of each bucket, at the step and time of the bucket's last point (smooths noise).
 * - last: the last point of each bucket (what a gauge scraped at that moment would have shown).
 */
export function downsample(points: SeriesPoints, maxPoints: number, method: DownsampleMethod): SeriesPoints {
  const n = points.steps.length;
  if (maxPoints <= 0 || n <= maxPoints) return points;
  if (method === 'lttb' && maxPoints >= 3) return lttb(points, maxPoints);
  return bucketed(points, maxPoints, method === 'mean');
}

/** Splits indices [0, n) into `buckets` contiguous, nearly equal parts. */
function bucketBounds(n: number, buckets: number, index: number): [number, number] {
  return [Math.floor((index * n) / buckets), Math.floor(((index + 1) * n) / buckets)];
}

function bucketed(points: SeriesPoints, buckets: number, mean: boolean): SeriesPoints {
  const steps: number[] = [];
  const values: number[] = [];
  const times: number[] = [];
  const n = points.steps.length;
  for (let b = 0; b < buckets; b++) {
    const [from, to] = bucketBounds(n, buckets, b);
    if (to <= from) continue;
    let value = points.values[to - 1];
    if (mean) {
      let sum = 0;
      for (let i = from; i < to; i++) sum += points.values[i];
      value = sum / (to - from);
    }
    steps.push(points.steps[to - 1]);
    values.push(value);
    times.push(points.times[to - 1]);
  }
  return { steps, values, times };
}

function lttb(points: SeriesPoints, threshold: number): SeriesPoints {
  const { steps: x, values: y } = points;
  const n = x.length;
  const picked = [0];
  // The first and last points are kept; the n-2 points between fall into threshold-2 buckets.
  const inner = threshold - 2;
  let a = 0;
  for (let b = 0; b < inner; b++) {
    const [from, to] = bucketBounds(n - 2, inner, b).map((i) => i + 1);
    // The average of the next bucket is the third vertex (the last point for the last bucket).
    const [nextFrom, nextTo] =
      b + 1 < inner ? bucketBounds(n - 2, inner, b + 1).map((i) => i + 1) : [n - 1, n];
    let avgX = 0;
    let avgY = 0;
    for (let i = nextFrom; i < nextTo; i++) {
      avgX += x[i];
      avgY += y[i];
    }
    avgX /= nextTo - nextFrom;
    avgY /= nextTo - nextFrom;
    let best = from;
    let bestArea = -1;
    for (let i = from; i < to; i++) {
      const area = Math.abs((x[a] - avgX) * (y[i] - y[a]) - (x[a] - x[i]) * (avgY - y[a]));
      if (area > bestArea) {
        bestArea = area;
        best = i;
      }
    }
    picked.push(best);
    a = best;
  }
  picked.push(n - 1);
  return {
    steps: picked.map((i) => points.steps[i]),
    values: picked.map((i) => points.values[i]),
    times: picked.map((i) => points.times[i]),
  };
}
