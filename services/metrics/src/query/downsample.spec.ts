import { describe, expect, it } from 'vitest';
import { downsample } from './downsample';

const series = (values: number[]) => ({
  steps: values.map((_, i) => i * 10),
  values,
  times: values.map((_, i) => 1000 + i),
});

describe('downsample', () => {
  const noisy = series(Array.from({ length: 1000 }, (_, i) => Math.sin(i / 50) + (i === 437 ? 25 : 0)));

  it('returns the series unchanged when it fits (or when there is no limit)', () => {
    const s = series([1, 2, 3]);
    expect(downsample(s, 3, 'lttb')).toBe(s);
    expect(downsample(s, 0, 'mean')).toBe(s);
  });

  it('lttb keeps max points, the first and the last, and a spike', () => {
    const out = downsample(noisy, 50, 'lttb');
    expect(out.steps).toHaveLength(50);
    expect(out.steps[0]).toBe(0);
    expect(out.steps.at(-1)).toBe(9990);
    expect(out.values).toContain(noisy.values[437]);
    expect([...out.steps].sort((a, b) => a - b)).toEqual(out.steps);
    // Real points only: every (step, value) pair exists in the input.
    out.steps.forEach((step, i) => expect(noisy.values[step / 10]).toBe(out.values[i]));
  });

  it('mean averages each bucket at its last step', () => {
    const out = downsample(series([1, 2, 3, 4, 5, 6]), 3, 'mean');
    expect(out.values).toEqual([1.5, 3.5, 5.5]);
    expect(out.steps).toEqual([10, 30, 50]);
    expect(out.times).toEqual([1001, 1003, 1005]);
  });

  it('last keeps the last point of each bucket', () => {
    const out = downsample(series([1, 2, 3, 4, 5, 6, 7]), 2, 'last');
    expect(out.values).toEqual([3, 7]);
    expect(out.steps).toEqual([20, 60]);
  });

  it('falls back to buckets when lttb is asked for fewer than 3 points', () => {
    expect(downsample(series([1, 2, 3, 4]), 1, 'lttb').values).toEqual([4]);
  });
});
