import type { Param, Params } from '../search/space';

export const IMPORTANCE_METHOD = 'eta-squared';

/**
 * Parameter importances by the correlation ratio eta^2 of each parameter's marginal (Pearson 1903):
 * the share of the objective's variance explained by the mean objective per value (categorical) or
 * per quantile bin (numeric, binned on the log scale for log domains). It is fANOVA's first-order
 * term (Hutter et al. 2014) estimated from the trials directly instead of from a random forest:
 * cheap and model-free, but blind to interactions. Normalised to sum to 1; empty below 4 trials.
 */
export function importances(
  space: readonly Param[],
  trials: readonly { params: Params; value: number }[],
): { parameter: string; importance: number }[] {
  if (trials.length < 4) return [];
  const raw = space.map((p) => {
    const xs = trials.filter((t) => t.params[p.name] !== undefined);
    if (xs.length < 4) return { parameter: p.name, importance: 0 };
    const ys = xs.map((t) => t.value);
    const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
    const total = ys.reduce((a, y) => a + (y - mean) ** 2, 0);
    if (total === 0) return { parameter: p.name, importance: 0 };
    const groups = new Map<string, number[]>();
    const key = binner(
      p,
      xs.map((t) => t.params[p.name]),
    );
    xs.forEach((t, i) => {
      const k = key(t.params[p.name]);
      const g = groups.get(k) ?? [];
      g.push(ys[i]);
      groups.set(k, g);
    });
    let between = 0;
    for (const g of groups.values()) {
      const m = g.reduce((a, b) => a + b, 0) / g.length;
      between += g.length * (m - mean) ** 2;
    }
    // Small groups overfit: shrink by the degrees of freedom used (adjusted eta^2 / epsilon^2).
    const k = groups.size;
    const adjusted = Math.max(
      0,
      between / total - ((k - 1) / Math.max(1, xs.length - 1)) * (1 - between / total),
    );
    return { parameter: p.name, importance: adjusted };
  });
  const sum = raw.reduce((a, r) => a + r.importance, 0);
  return raw
    .map((r) => ({ parameter: r.parameter, importance: sum > 0 ? r.importance / sum : 1 / raw.length }))
    .sort((a, b) => b.importance - a.importance);
}

function binner(p: Param, values: readonly (number | string)[]): (v: number | string) => string {
  if (p.kind === 'categorical') return (v) => String(v);
  const distinct = new Set(values.map(String));
  if (distinct.size <= 8) return (v) => String(v);
  const t = (v: number) => (p.kind !== 'discrete' && p.log ? Math.log(v) : v);
  const sorted = values.map((v) => t(Number(v))).sort((a, b) => a - b);
  const bins = Math.min(8, Math.max(2, Math.floor(Math.sqrt(values.length))));
  const edges = Array.from(
    { length: bins - 1 },
    (_, i) => sorted[Math.floor(((i + 1) * sorted.length) / bins)],
  );
  return (v) => String(edges.filter((e) => t(Number(v)) >= e).length);
}
