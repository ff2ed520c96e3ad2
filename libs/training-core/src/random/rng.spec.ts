import { describe, it, expect } from 'vitest';
import { ValidationError } from '../errors';
import { Rng } from './rng';

describe('Rng', () => {
  it('implements xoshiro128** (reference outputs for state 1, 2, 3, 4)', () => {
    const rng = Rng.fromState({ words: [1, 2, 3, 4], spareNormal: null });
    expect([rng.nextUint32(), rng.nextUint32(), rng.nextUint32(), rng.nextUint32()]).toEqual([
      11520, 0, 5927040, 70819200,
    ]);
  });

  it('is reproducible for a seed and differs between seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xs = Array.from({ length: 8 }, () => a.uniform());
    expect(Array.from({ length: 8 }, () => b.uniform())).toEqual(xs);
    expect(Array.from({ length: 8 }, () => c.uniform())).not.toEqual(xs);
  });

  it('uses the high bits of large seeds', () => {
    expect(new Rng(2 ** 40).uniform()).not.toEqual(new Rng(0).uniform());
  });

  it('continues the same sequence after getState/setState, including the cached normal', () => {
    const rng = new Rng(7);
    rng.normal(); // leaves a spare normal behind
    const saved = JSON.parse(JSON.stringify(rng.getState())) as ReturnType<Rng['getState']>;
    const expected = [rng.normal(), rng.uniform(), rng.int(10), rng.normal()];
    const restored = Rng.fromState(saved);
    expect([restored.normal(), restored.uniform(), restored.int(10), restored.normal()]).toEqual(expected);
  });

  it('draws uniforms in [0, 1) with mean 1/2 and variance 1/12', () => {
    const rng = new Rng(1);
    const n = 200_000;
    let sum = 0;
    let sumSq = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      min = Math.min(min, u);
      max = Math.max(max, u);
      sum += u;
      sumSq += u * u;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    const mean = sum / n;
    expect(mean).toBeCloseTo(0.5, 2);
    expect(sumSq / n - mean * mean).toBeCloseTo(1 / 12, 3);
  });

  it('draws normals with the requested mean and std', () => {
    const rng = new Rng(2);
    const n = 200_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal(3, 2);
      sum += z;
      sumSq += z * z;
    }
    const mean = sum / n;
    expect(Math.abs(mean - 3)).toBeLessThan(0.02);
    expect(Math.abs(Math.sqrt(sumSq / n - mean * mean) - 2) / 2).toBeLessThan(0.01);
  });

  it('draws every integer in [0, n) about equally often', () => {
    const rng = new Rng(3);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[rng.int(6)] += 1;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
  });

  it('shuffles into a permutation, reproducibly', () => {
    const p = new Rng(5).permutation(100);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(p).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(new Rng(5).permutation(100)).toEqual(p);
  });

  it('forks independent, reproducible streams', () => {
    const a = new Rng(9).fork();
    const b = new Rng(9).fork();
    expect(a.uniform()).toEqual(b.uniform());
    expect(new Rng(9).fork().uniform()).not.toEqual(new Rng(9).uniform());
  });

  it('rejects bad seeds, bounds and states naming the field', () => {
    expect(() => new Rng(-1)).toThrow(ValidationError);
    expect(() => new Rng(1.5)).toThrow(/seed/);
    expect(() => new Rng(1).int(0)).toThrow(/^n:/);
    expect(() => Rng.fromState({ words: [0, 0, 0, 0], spareNormal: null })).toThrow(/state.words/);
  });
});
