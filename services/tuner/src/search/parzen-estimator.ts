import type { Rng } from '@athanor/training-core';
import { normCdf, normLogPdf, normQuantile } from './normal';
import { neighbourBandwidths } from './parzen-bandwidth';

/**
 * A univariate Parzen estimator over [low, high] in the sampler's internal space (log-transformed
 * for log domains): a weighted mixture of truncated normals, one per observation plus a prior
 * component N((low+high)/2, (high-low)) (Bergstra et al. 2011). Observation kernels take the
 * neighbour-distance widths of `neighbourBandwidths` among the observations alone: the prior's centre
 * is no neighbour (Optuna 4.9 dropped it too), so a lone trial near the middle is not given a narrow
 * kernel by a point that was never observed.
 */
export class NumericParzen {
  readonly mus: number[];
  readonly sigmas: number[];
  readonly weights: number[];
  private readonly logWeightOverZ: number[];
  private readonly invSigmas: number[];
  private readonly logCoefficients: number[];
  private readonly scratch: Float64Array;

  /**
   * @param priorWeight the prior kernel's weight, on the scale of `observationWeights`.
   * @param q quantisation step in the internal space (ints, stepped or discrete domains), or 0.
   */
  constructor(
    observations: readonly number[],
    observationWeights: readonly number[],
    readonly low: number,
    readonly high: number,
    priorWeight: number,
    readonly q = 0,
  ) {
    const widths = neighbourBandwidths(observations, low, high);
    const items = observations.map((mu, i) => ({ mu, w: observationWeights[i], sigma: widths[i] }));
    items.push({ mu: 0.5 * (low + high), w: priorWeight, sigma: high - low });
    items.sort((a, b) => a.mu - b.mu);
    const n = items.length;
    this.mus = items.map((x) => x.mu);
    this.sigmas = items.map((x) => x.sigma);
    const total = items.reduce((a, x) => a + x.w, 0);
    this.weights = items.map((x) => x.w / total);
    // Per component, once: log(w / Z) and the normal's constant, so logPdf is one exp per component.
    this.logWeightOverZ = this.mus.map((mu, i) => {
      const s = this.sigmas[i];
      return (
        Math.log(this.weights[i]) -
        Math.log(Math.max(1e-300, normCdf((high - mu) / s) - normCdf((low - mu) / s)))
      );
    });
    this.invSigmas = this.sigmas.map((s) => 1 / s);
    this.logCoefficients = this.logWeightOverZ.map((l, i) => l + normLogPdf(0, 0, this.sigmas[i]));
    this.scratch = new Float64Array(n);
  }

  sample(rng: Rng): number {
    let u = rng.uniform();
    let k = 0;
    while (k < this.weights.length - 1 && u >= this.weights[k]) u -= this.weights[k++];
    const mu = this.mus[k];
    const s = this.sigmas[k];
    // Inverse-CDF sampling of the truncated normal.
    const a = normCdf((this.low - mu) / s);
    const b = normCdf((this.high - mu) / s);
    const x = mu + s * normQuantile(a + rng.uniform() * (b - a));
    return Number.isFinite(x) ? Math.min(this.high, Math.max(this.low, x)) : mu;
  }

  /** log density at x (log probability mass of x's cell for quantised domains). */
  logPdf(x: number): number {
    const n = this.mus.length;
    const terms = this.scratch;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const mu = this.mus[i];
      let t: number;
      if (this.q > 0) {
        const s = this.sigmas[i];
        const lo = Math.max(this.low, x - this.q / 2);
        const hi = Math.min(this.high, x + this.q / 2);
        t =
          this.logWeightOverZ[i] +
          Math.log(Math.max(1e-300, normCdf((hi - mu) / s) - normCdf((lo - mu) / s)));
      } else {
        const z = (x - mu) * this.invSigmas[i];
        t = this.logCoefficients[i] - 0.5 * z * z;
      }
      terms[i] = t;
      if (t > max) max = t;
    }
    if (!Number.isFinite(max)) return max;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Math.exp(terms[i] - max);
    return max + Math.log(sum);
  }
}

/** A categorical Parzen estimator: prior_weight spread evenly plus each observation's weight. */
export class CategoricalParzen {
  readonly probabilities: number[];

  constructor(indices: readonly number[], weights: readonly number[], n: number, priorWeight: number) {
    const w = new Array<number>(n).fill(priorWeight / n);
    indices.forEach((i, k) => (w[i] += weights[k]));
    const total = w.reduce((a, b) => a + b, 0);
    this.probabilities = w.map((x) => x / total);
  }

  sample(rng: Rng): number {
    let u = rng.uniform();
    for (let i = 0; i < this.probabilities.length - 1; i++) {
      if (u < this.probabilities[i]) return i;
      u -= this.probabilities[i];
    }
    return this.probabilities.length - 1;
  }

  logPdf(i: number): number {
    return Math.log(this.probabilities[i]);
  }
}
