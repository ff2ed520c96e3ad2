export { configSchema, type MetricsConfig } from './config';
export { TRAINING_METRICS, exposedSeriesNames } from './export/metric-names';
export { type MetricsOptions, startMetrics } from './server';
export * as grafana from './dashboards';
