export { configSchema, type MetricsConfig } from './config';
export { startMetrics } from './server';
