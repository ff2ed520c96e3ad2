import type { Dashboard } from './model';

/** One PromQL query of a dashboard, with where it comes from (for messages). */
export interface DashboardQuery {
  readonly where: string;
  readonly expr: string;
}

/** Every panel query of a dashboard. */
export function panelQueries(dashboard: Dashboard): DashboardQuery[] {
  return dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((t) => ({
      where: `${dashboard.uid} / ${panel.title} / ${t.refId}`,
      expr: t.expr,
    })),
  );
}

/** The metric names a variable's `label_values(metric{...}, label)` query reads. */
export function variableMetrics(dashboard: Dashboard): string[] {
  return dashboard.templating.list.flatMap((v) => {
    const m =
      typeof v.definition === 'string'
        ? /^label_values\(([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(v.definition)
        : null;
    return m ? [m[1]] : [];
  });
}

/** Metric names a PromQL expression reads (identifiers of our namespace). */
export function metricsIn(expr: string): string[] {
  return [...new Set(expr.match(/\bathanor_[a-z0-9_]+/g) ?? [])];
}

/**
 * The query as Prometheus sees it once Grafana has filled in the variables: `$study`-style
 * variables become `values[name]` (default ".*", the "All" value), `$__rate_interval` a duration.
 */
export function substitute(
  expr: string,
  values: Readonly<Record<string, string>> = {},
  rateInterval = '1m',
): string {
  return expr
    .replaceAll('$__rate_interval', rateInterval)
    .replace(/\$([a-z_]+)/g, (_, name: string) => values[name] ?? '.*');
}
