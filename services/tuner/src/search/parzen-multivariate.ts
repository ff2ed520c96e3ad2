import type { Rng } from '@athanor/training-core';
import { normCdf, normLogPdf, normQuantile } from './normal';

/** One dimension of a joint Parzen estimator: numeric over [low, high] (quantised by q > 0), or n choices. */
export type ParzenDim =
  | { readonly kind: 'numeric'; readonly low: number; readonly high: number; readonly q: number }
  | { readonly kind: 'categorical'; readonly n: number };

/** Scott's-rule factor of the multivariate kernels, as BOHB (Falkner et al. 2018) and Optuna use. */
export const SIGMA0_MAGNITUDE = 0.2;

/** Inverse-CDF draw from N(mu, s^2) truncated to [low, high]. */
export function sampleTruncNormal(rng: Rng, mu: number, s: number, low: number, high: number): number {
  const a = normCdf((low - mu) / s);
  const b = normCdf((high - mu) / s);
  const x = mu + s * normQuantile(a + rng.uniform() * (b - a));
  return Number.isFinite(x) ? Math.min(high, Math.max(low, x)) : mu;
}

/**
 * A joint Parzen estimator (multivariate TPE, Falkner et al. 2018): one product kernel per
 * observation plus a prior kernel, so l(x)/g(x) sees how parameters interact. Numeric kernels are
 * truncated normals with one bandwidth per dimension, sigma0 * (high - low) with sigma0 = 0.2 *
 * n^(-1/(d+4)) (Scott's rule), clipped to [(high-low)/min(100, 1+n), high-low] (the "magic clip"
 * of Bergstra et al.). The prior kernel is N(mid, high-low) per numeric dimension and uniform per
 * categorical one; an observation's categorical kernel puts 1 + v on its choice and v elsewhere,
 * v = priorWeight / (n + 1).
 */
export class MultivariateParzen {
  /** Components (observations, then the prior), normalised. */
  readonly weights: number[];
  /** Per numeric dimension: the shared bandwidth of the observation kernels. */
  readonly sigmas: number[];
  private readonly nComp: number;
  private readonly d: number;
  /** Component k, dimension j at [k * d + j]: a numeric centre or a choice index. */
  private readonly centres: Float64Array;
  private readonly compSigma: Float64Array;
  /** log(weight) - sum of log truncation masses, per component. */
  private readonly logBase: Float64Array;
  private readonly logHit: number[];
  private readonly logMiss: number[];
  private readonly scratch: Float64Array;

  constructor(
    observations: readonly (readonly number[])[],
    observationWeights: readonly number[],
    readonly dims: readonly ParzenDim[],
    priorWeight: number,
    sigma0Magnitude = SIGMA0_MAGNITUDE,
  ) {
    const n = observations.length;
    const d = dims.length;
    this.nComp = n + 1;
    this.d = d;
    const sigma0 = sigma0Magnitude * Math.max(n, 1) ** (-1 / (d + 4));
    this.sigmas = dims.map((dim) => {
      if (dim.kind === 'categorical') return 0;
      const range = dim.high - dim.low;
      return Math.min(range, Math.max(range / Math.min(100, 1 + this.nComp), sigma0 * range));
    });
    const total = observationWeights.reduce((a, w) => a + w, 0) + priorWeight;
    this.weights = [...observationWeights.map((w) => w / total), priorWeight / total];
    const v = priorWeight / (n + 1);
    this.logHit = dims.map((dim) => (dim.kind === 'categorical' ? Math.log((1 + v) / (1 + dim.n * v)) : 0));
    this.logMiss = dims.map((dim) => (dim.kind === 'categorical' ? Math.log(v / (1 + dim.n * v)) : 0));
    this.centres = new Float64Array(this.nComp * d);
    this.compSigma = new Float64Array(this.nComp * d);
    this.logBase = new Float64Array(this.nComp);
    for (let k = 0; k < this.nComp; k++) {
      let logZ = 0;
      for (let j = 0; j < d; j++) {
        const dim = dims[j];
        if (dim.kind === 'categorical') {
          this.centres[k * d + j] = k < n ? observations[k][j] : -1;
          continue;
        }
        const mu = k < n ? observations[k][j] : 0.5 * (dim.low + dim.high);
        const s = k < n ? this.sigmas[j] : dim.high - dim.low;
        this.centres[k * d + j] = mu;
        this.compSigma[k * d + j] = s;
        const mass = normCdf((dim.high - mu) / s) - normCdf((dim.low - mu) / s);
        logZ += Math.log(Math.max(1e-300, mass));
        // Continuous dimensions: fold the normal's constant in once.
        if (dim.q === 0) logZ -= normLogPdf(0, 0, s);
      }
      this.logBase[k] = Math.log(this.weights[k]) - logZ;
    }
    this.scratch = new Float64Array(this.nComp);
  }

  sample(rng: Rng): number[] {
    let u = rng.uniform();
    let k = 0;
    while (k < this.nComp - 1 && u >= this.weights[k]) u -= this.weights[k++];
    return this.dims.map((dim, j) => {
      const c = this.centres[k * this.d + j];
      if (dim.kind === 'numeric')
        return sampleTruncNormal(rng, c, this.compSigma[k * this.d + j], dim.low, dim.high);
      // Categorical kernel: its own choice with probability exp(logHit), else uniform over all.
      if (c < 0) return Math.min(dim.n - 1, Math.floor(rng.uniform() * dim.n));
      const r = rng.uniform();
      const miss = Math.exp(this.logMiss[j]);
      return r < 1 - dim.n * miss ? c : Math.min(dim.n - 1, Math.floor(rng.uniform() * dim.n));
    });
  }

  /** log density at x (log probability of x's cell along quantised and categorical dimensions). */
  logPdf(x: readonly number[]): number {
    const { d, dims } = this;
    const terms = this.scratch;
    let max = -Infinity;
    for (let k = 0; k < this.nComp; k++) {
      let t = this.logBase[k];
      for (let j = 0; j < d; j++) {
        const dim = dims[j];
        const c = this.centres[k * d + j];
        if (dim.kind === 'categorical') {
          t += c < 0 ? -Math.log(dim.n) : c === x[j] ? this.logHit[j] : this.logMiss[j];
          continue;
        }
        const s = this.compSigma[k * d + j];
        if (dim.q > 0) {
          const lo = Math.max(dim.low, x[j] - dim.q / 2);
          const hi = Math.min(dim.high, x[j] + dim.q / 2);
          t += Math.log(Math.max(1e-300, normCdf((hi - c) / s) - normCdf((lo - c) / s)));
        } else {
          const z = (x[j] - c) / s;
          t -= 0.5 * z * z;
        }
      }
      terms[k] = t;
      if (t > max) max = t;
    }
    if (!Number.isFinite(max)) return max;
    let sum = 0;
    for (let k = 0; k < this.nComp; k++) sum += Math.exp(terms[k] - max);
    return max + Math.log(sum);
  }
}
