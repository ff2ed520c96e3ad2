import { snap, type Param } from './space';

/** A numeric parameter as TPE models it: bounds and quantisation step in the internal space. */
export interface NumericFrame {
  readonly low: number;
  readonly high: number;
  /** Cell width of quantised domains (ints, steps, discrete sets) in the internal space, or 0. */
  readonly q: number;
  readonly encode: (x: number) => number;
  readonly decode: (z: number) => number;
}

/**
 * The internal space of a numeric parameter. Log domains are modelled in log space, where the
 * truncated normals live (Optuna does the same), so a kernel's width is a ratio, not a distance.
 */
export function numericFrame(p: Exclude<Param, { kind: 'categorical' }>): NumericFrame {
  if (p.kind === 'discrete') {
    const n = p.values.length;
    const toIndex = (x: number) =>
      p.values.reduce((best, v, i) => (Math.abs(v - x) < Math.abs(p.values[best] - x) ? i : best), 0);
    return {
      low: -0.5,
      high: n - 0.5,
      q: 1,
      encode: toIndex,
      decode: (z: number) => p.values[Math.min(n - 1, Math.max(0, Math.round(z)))],
    };
  }
  const step = p.kind === 'int' ? p.step : (p.step ?? 0);
  if (p.log) {
    // Ints widen by half a unit before the log, so the end values get a full cell each.
    const pad = p.kind === 'int' ? 0.5 : 0;
    return {
      low: Math.log(p.low - pad),
      high: Math.log(p.high + pad),
      q: 0,
      encode: (x: number) => Math.log(x),
      decode: (z: number) => snap(p, Math.exp(z)) as number,
    };
  }
  return {
    low: p.low - step / 2,
    high: p.high + step / 2,
    q: step,
    encode: (x: number) => x,
    decode: (z: number) => snap(p, z) as number,
  };
}
