import type { Rng } from '@athanor/training-core';
import { normCdf, normLogPdf, normQuantile } from './normal';
import { neighbourBandwidths, scottBandwidth } from './parzen-bandwidth';

/** One dimension of a joint Parzen estimator: numeric over [low, high] (quantised by q > 0), or n choices. */
export type ParzenDim =
  | { readonly kind: 'numeric'; readonly low: number; readonly high: number; readonly q: number }
  | { readonly kind: 'categorical'; readonly n: number };

/**
 * How a joint estimator sets its numeric kernels' widths: per observation and dimension from the
 * distances to its neighbours along that dimension (default; Optuna 5's rule), or one Scott's-rule width
 * per dimension, factor * n^(-1/(d+4)) * (high-low) (BOHB, Falkner et al. 2018; Optuna 3.x: 0.2).
 */
export type BandwidthRule =
  { readonly kind: 'neighbour' } | { readonly kind: 'scott'; readonly factor: number };

const CONTINUOUS = 0;
const QUANTISED = 1;
const CATEGORICAL = 2;

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
 * truncated normals whose widths follow `bandwidth` (see `BandwidthRule`), clipped to
 * [(high-low)/min(100, 1+n+1), high-low] (the "magic clip" of Bergstra et al.). The prior kernel is
 * N(mid, high-low) per numeric dimension and uniform per categorical one; an observation's
 * categorical kernel puts 1 + v on its choice and v elsewhere, v = priorWeight / (n + 1).
 */
export class MultivariateParzen {
  /** Components (observations, then the prior), normalised. */
  readonly weights: number[];
  private readonly nComp: number;
  private readonly d: number;
  /** Component k, dimension j at [k * d + j]: a numeric centre or a choice index. */
  private readonly centres: Float64Array;
  /** Component k, dimension j at [k * d + j]: the numeric kernel's width (0 for categorical). */
  private readonly compSigma: Float64Array;
  /** log(weight) - sum of log truncation masses, per component. */
  private readonly logBase: Float64Array;
  /** 1 / compSigma (0 for categorical dimensions). */
  private readonly invSigma: Float64Array;
  /** Per dimension: CONTINUOUS, QUANTISED or CATEGORICAL. */
  private readonly codes: Uint8Array;
  private readonly logHit: number[];
  private readonly logMiss: number[];
  private readonly logUniform: number[];
  private readonly scratch: Float64Array;

  /** @param priorWeight the prior kernel's weight, on the scale of `observationWeights`. */
  constructor(
    observations: readonly (readonly number[])[],
    observationWeights: readonly number[],
    readonly dims: readonly ParzenDim[],
    priorWeight: number,
    bandwidth: BandwidthRule = { kind: 'neighbour' },
  ) {
    const n = observations.length;
    const d = dims.length;
    this.nComp = n + 1;
    this.d = d;
    // Per numeric dimension: the observation kernels' widths.
    const widths = dims.map((dim, j) => {
      if (dim.kind === 'categorical') return new Float64Array(n);
      if (bandwidth.kind === 'scott')
        return new Float64Array(n).fill(scottBandwidth(bandwidth.factor, n, d, dim.low, dim.high));
      return neighbourBandwidths(
        observations.map((o) => o[j]),
        dim.low,
        dim.high,
      );
    });
    const total = observationWeights.reduce((a, w) => a + w, 0) + priorWeight;
    this.weights = [...observationWeights.map((w) => w / total), priorWeight / total];
    const v = priorWeight / (n + 1);
    this.logHit = dims.map((dim) => (dim.kind === 'categorical' ? Math.log((1 + v) / (1 + dim.n * v)) : 0));
    this.logMiss = dims.map((dim) => (dim.kind === 'categorical' ? Math.log(v / (1 + dim.n * v)) : 0));
    this.logUniform = dims.map((dim) => (dim.kind === 'categorical' ? -Math.log(dim.n) : 0));
    this.codes = Uint8Array.from(dims, (dim) =>
      dim.kind === 'categorical' ? CATEGORICAL : dim.q > 0 ? QUANTISED : CONTINUOUS,
    );
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
        const s = k < n ? widths[j][k] : dim.high - dim.low;
        this.centres[k * d + j] = mu;
        this.compSigma[k * d + j] = s;
        // Kernels more than 9 sigma inside both bounds lose no mass to the truncation (< 1e-18).
        if (dim.high - mu < 9 * s || mu - dim.low < 9 * s) {
          const mass = normCdf((dim.high - mu) / s) - normCdf((dim.low - mu) / s);
          logZ += Math.log(Math.max(1e-300, mass));
        }
        // Continuous dimensions: fold the normal's constant in once.
        if (dim.q === 0) logZ -= normLogPdf(0, 0, s);
      }
      this.logBase[k] = Math.log(this.weights[k]) - logZ;
    }
    this.invSigma = this.compSigma.map((s) => (s > 0 ? 1 / s : 0));
    this.scratch = new Float64Array(this.nComp);
  }

  /** The numeric kernel width of component k (observations in order, then the prior) along dimension j. */
  bandwidth(k: number, j: number): number {
    return this.compSigma[k * this.d + j];
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
    const { d, dims, codes, centres, compSigma, invSigma, logBase } = this;
    const terms = this.scratch;
    let max = -Infinity;
    // The hot loop of a suggestion (candidates x components x dimensions): flat arrays, no allocation.
    for (let k = 0, at = 0; k < this.nComp; k++, at += d) {
      let t = logBase[k];
      for (let j = 0; j < d; j++) {
        const c = centres[at + j];
        const code = codes[j];
        if (code === CONTINUOUS) {
          const z = (x[j] - c) * invSigma[at + j];
          t -= 0.5 * z * z;
        } else if (code === CATEGORICAL) {
          t += c < 0 ? this.logUniform[j] : c === x[j] ? this.logHit[j] : this.logMiss[j];
        } else {
          const dim = dims[j] as Extract<ParzenDim, { kind: 'numeric' }>;
          const s = compSigma[at + j];
          const lo = Math.max(dim.low, x[j] - dim.q / 2);
          const hi = Math.min(dim.high, x[j] + dim.q / 2);
          t += Math.log(Math.max(1e-300, normCdf((hi - c) / s) - normCdf((lo - c) / s)));
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
