/**
 * Kernel widths of the Parzen estimators along one numeric dimension, in the sampler's internal
 * space [low, high].
 */

/**
 * Bergstra et al.'s "magic clip": no kernel narrower than (high-low)/min(100, 1 + kernels), none
 * wider than the domain. `kernels` counts the prior kernel too.
 */
export function clipBandwidth(sigma: number, low: number, high: number, kernels: number): number {
  const range = high - low;
  return Math.min(range, Math.max(range / Math.min(100, 1 + kernels), sigma));
}

/**
 * One width per centre: its distance to the farther of its two neighbours along the axis, the bounds
 * standing in for the missing neighbour of the outermost centres (Bergstra et al. 2011). With two or
 * more centres the outermost ones look only inwards, so a centre near a bound is not widened by the
 * empty space beyond it (Optuna's consider_endpoints=False). Clipped by `clipBandwidth` with one
 * kernel per centre plus the prior. Dense regions get narrow kernels and sparse ones wide kernels,
 * which a single Scott's-rule width cannot do.
 */
export function neighbourBandwidths(centres: readonly number[], low: number, high: number): Float64Array {
  const m = centres.length;
  const sorted = Float64Array.from(centres).sort();
  // Each centre's place in the sorted order; equal centres take consecutive places in input order.
  const taken = new Uint32Array(m);
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const x = centres[i];
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    const r = lo + taken[lo]++;
    const left = r === 0 ? x - low : x - sorted[r - 1];
    const right = r === m - 1 ? high - x : sorted[r + 1] - x;
    let s = Math.max(left, right);
    if (m >= 2 && r === 0) s = right;
    else if (m >= 2 && r === m - 1) s = left;
    out[i] = clipBandwidth(s, low, high, m + 1);
  }
  return out;
}

/**
 * Scott's rule as BOHB (Falkner et al. 2018) and Optuna 3.x's multivariate TPE use it: one width
 * for every kernel, factor * n^(-1/(d+4)) * (high-low), clipped by `clipBandwidth`.
 */
export function scottBandwidth(factor: number, n: number, d: number, low: number, high: number): number {
  return clipBandwidth(factor * Math.max(n, 1) ** (-1 / (d + 4)) * (high - low), low, high, n + 1);
}
