// The dashboards as data, for tests that run their queries (test/metrics-prometheus.spec.ts).
// Rendering to files (render-files, which loads Prettier) stays out of this entry point, so the
// service never loads a dev tool at run time.
export { dashboards } from './all-dashboards';
export type { Dashboard, Panel, Target } from './model';
export { type DashboardQuery, metricsIn, panelQueries, substitute, variableMetrics } from './queries';
