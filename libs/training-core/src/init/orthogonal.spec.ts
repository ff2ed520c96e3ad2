import { describe, expect, it } from 'vitest';
import { orthogonal } from './orthogonal';

/** Max |(M^T M or M M^T) - gain^2 I| for M = values viewed as [rows, cols] (row-major). */
function gramError(
  values: Float32Array,
  rows: number,
  cols: number,
  byColumns: boolean,
  gain: number,
): number {
  const n = byColumns ? cols : rows;
  const len = byColumns ? rows : cols;
  const at = (vec: number, i: number) => (byColumns ? values[i * cols + vec] : values[vec * cols + i]);
  let worst = 0;
  for (let p = 0; p < n; p++) {
    for (let q = p; q < n; q++) {
      let dot = 0;
      for (let i = 0; i < len; i++) dot += at(p, i) * at(q, i);
      worst = Math.max(worst, Math.abs(dot - (p === q ? gain * gain : 0)));
    }
  }
  return worst;
}

// float32 storage bounds the error: ~1e-7 per element, summed over up to 256 terms.
describe('orthogonal', () => {
  it('tall dense [256, 128]: W^T W = gain^2 I', () => {
    const w = orthogonal([256, 128], { random: 1, gain: 2 });
    expect(gramError(w.values, 256, 128, true, 2)).toBeLessThan(1e-5);
  });

  it('wide dense [64, 256]: W W^T = I', () => {
    const w = orthogonal([64, 256], { random: 2 });
    expect(gramError(w.values, 64, 256, false, 1)).toBeLessThan(1e-5);
  });

  it('conv [3, 3, 16, 32] viewed as [144, 32]: orthonormal columns (one per filter)', () => {
    const w = orthogonal([3, 3, 16, 32], { random: 3 });
    expect(gramError(w.values, 144, 32, true, 1)).toBeLessThan(1e-5);
  });

  it('LSTM recurrent kernel [20, 80] with gates 4: each [20, 20] gate block is orthogonal', () => {
    const w = orthogonal([20, 80], { random: 4, gates: 4 });
    for (let gate = 0; gate < 4; gate++) {
      const block = new Float32Array(400);
      for (let r = 0; r < 20; r++)
        for (let c = 0; c < 20; c++) block[r * 20 + c] = w.values[r * 80 + gate * 20 + c]!;
      expect(gramError(block, 20, 20, true, 1)).toBeLessThan(1e-5);
      expect(gramError(block, 20, 20, false, 1)).toBeLessThan(1e-5);
    }
  });

  it('is reproducible for a seed and rejects bad gates', () => {
    expect(orthogonal([8, 8], { random: 5 }).values).toEqual(orthogonal([8, 8], { random: 5 }).values);
    expect(() => orthogonal([8, 9], { random: 5, gates: 2 })).toThrow(/^gates:/);
    expect(() => orthogonal([8], { random: 5 })).toThrow(/^shape:/);
  });
});
