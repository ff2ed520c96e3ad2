/** A compiled search space: validated, defaults filled, in the form the samplers use. */

/** A parameter's value: numbers for numeric domains, strings for categorical ones. */
export type ParamValue = number | string;
export type Params = Record<string, ParamValue>;

export interface Condition {
  readonly parent: string;
  readonly values: readonly string[];
}

interface Base {
  readonly name: string;
  readonly condition?: Condition;
}

/** Reals in [low, high]; `step` quantises (never with log). */
export interface DoubleParam extends Base {
  readonly kind: 'double';
  readonly low: number;
  readonly high: number;
  readonly log: boolean;
  readonly step?: number;
}

/** Integers low, low + step, ..., <= high. */
export interface IntParam extends Base {
  readonly kind: 'int';
  readonly low: number;
  readonly high: number;
  readonly log: boolean;
  readonly step: number;
}

/** An ordered finite set of numbers (models treat it as numeric). */
export interface DiscreteParam extends Base {
  readonly kind: 'discrete';
  readonly values: readonly number[];
}

/** Unordered choices. */
export interface CategoricalParam extends Base {
  readonly kind: 'categorical';
  readonly choices: readonly string[];
}

export type Param = DoubleParam | IntParam | DiscreteParam | CategoricalParam;

/** Parameters in declaration order (a conditional one after its parent). */
export type Space = readonly Param[];

/** Whether `param` is active given the values chosen so far. */
export function isActive(param: Param, chosen: Params): boolean {
  if (!param.condition) return true;
  const parent = chosen[param.condition.parent];
  return parent !== undefined && param.condition.values.includes(String(parent));
}

/** Number of distinct values of a parameter (Infinity for continuous reals). */
export function cardinality(p: Param): number {
  switch (p.kind) {
    case 'double':
      return p.step === undefined ? Infinity : Math.floor((p.high - p.low) / p.step + 1e-9) + 1;
    case 'int':
      return Math.floor((p.high - p.low) / p.step) + 1;
    case 'discrete':
      return p.values.length;
    case 'categorical':
      return p.choices.length;
  }
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/**
 * The value at position u in [0, 1) of a parameter's domain: uniform, or log-uniform on log
 * domains; quantised and integer domains give each value an equal share of [0, 1) (as Optuna
 * samples ints in [low - 0.5, high + 0.5] and rounds).
 */
export function fromUnit(p: Param, u: number): ParamValue {
  switch (p.kind) {
    case 'double': {
      if (p.log)
        return clamp(Math.exp(Math.log(p.low) + u * (Math.log(p.high) - Math.log(p.low))), p.low, p.high);
      if (p.step === undefined) return clamp(p.low + u * (p.high - p.low), p.low, p.high);
      const n = cardinality(p);
      return roundStep(p.low + Math.min(n - 1, Math.floor(u * n)) * p.step, p.step);
    }
    case 'int': {
      if (p.log) {
        const x = Math.exp(Math.log(p.low - 0.5) + u * (Math.log(p.high + 0.5) - Math.log(p.low - 0.5)));
        return clamp(Math.round(x), p.low, p.high);
      }
      const n = cardinality(p);
      return p.low + Math.min(n - 1, Math.floor(u * n)) * p.step;
    }
    case 'discrete':
      return p.values[Math.min(p.values.length - 1, Math.floor(u * p.values.length))];
    case 'categorical':
      return p.choices[Math.min(p.choices.length - 1, Math.floor(u * p.choices.length))];
  }
}

/** low + k * step without the float noise of repeated addition (0.30000000000000004). */
export function roundStep(x: number, step: number): number {
  const decimals = Math.max(0, Math.min(15, -Math.floor(Math.log10(step)) + 6));
  return Number(x.toFixed(decimals));
}

/** Snaps a numeric value to the nearest legal value of its domain. */
export function snap(p: Param, x: number): ParamValue {
  switch (p.kind) {
    case 'double':
      if (p.step === undefined) return clamp(x, p.low, p.high);
      return roundStep(
        p.low + clamp(Math.round((x - p.low) / p.step), 0, cardinality(p) - 1) * p.step,
        p.step,
      );
    case 'int':
      return p.low + clamp(Math.round((x - p.low) / p.step), 0, cardinality(p) - 1) * p.step;
    case 'discrete': {
      let best = p.values[0];
      for (const v of p.values) if (Math.abs(v - x) < Math.abs(best - x)) best = v;
      return best;
    }
    case 'categorical':
      return p.choices[clamp(Math.round(x), 0, p.choices.length - 1)];
  }
}
