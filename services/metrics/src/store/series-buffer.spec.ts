import { describe, expect, it } from 'vitest';
import { SeriesBuffer } from './series-buffer';

function fill(buffer: SeriesBuffer, steps: number): number {
  let dropped = 0;
  for (let s = 0; s < steps; s++) dropped += buffer.append(s, s * 10, 1000 + s);
  return dropped;
}

describe('SeriesBuffer', () => {
  it('keeps every point below capacity', () => {
    const b = new SeriesBuffer(8);
    expect(fill(b, 8)).toBe(0);
    expect(b.steps).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(b.thinned).toBe(false);
  });

  it('never holds more than capacity, covers the whole run and keeps the newest point', () => {
    const b = new SeriesBuffer(16);
    let dropped = 0;
    for (let s = 0; s < 10_000; s++) {
      dropped += b.append(s, s, s);
      expect(b.length).toBeLessThanOrEqual(16);
      expect(b.lastStep).toBe(s);
    }
    expect(b.steps[0]).toBe(0);
    expect(dropped).toBe(10_000 - b.length);
    expect(b.evicted).toBe(dropped);
    expect(b.thinned).toBe(true);
    // Points on the stride are evenly spaced: the run is kept at a uniform resolution.
    const gaps = new Set(b.steps.slice(1, -1).map((s, i) => s - b.steps[i]));
    expect(gaps.size).toBe(1);
    expect(b.length).toBeGreaterThanOrEqual(8);
  });

  it('replaces the point of a repeated step instead of duplicating it (retried batches)', () => {
    const b = new SeriesBuffer(8);
    b.append(5, 1, 100);
    expect(b.append(5, 2, 200)).toBe(0);
    expect(b.steps).toEqual([5]);
    expect(b.values).toEqual([2]);
    expect(b.times).toEqual([200]);
  });

  it('returns an inclusive step range', () => {
    const b = new SeriesBuffer(64);
    fill(b, 20);
    expect(b.range(3, 6).steps).toEqual([3, 4, 5, 6]);
    expect(b.range(3, 6).values).toEqual([30, 40, 50, 60]);
    expect(b.range(undefined, 1).steps).toEqual([0, 1]);
    expect(b.range(18).steps).toEqual([18, 19]);
    expect(b.range(25).steps).toEqual([]);
  });

  it('refuses a capacity too small to thin', () => {
    expect(() => new SeriesBuffer(2)).toThrow(/capacity/);
  });
});
