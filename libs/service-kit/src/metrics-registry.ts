import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** A registry per service (never the global one), with process metrics and RPC metrics. */
export interface ServiceMetrics {
  readonly registry: Registry;
  readonly rpcHandled: Counter<'method' | 'code'>;
  readonly rpcSeconds: Histogram<'method' | 'code'>;
}

export function createServiceMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'athanor_' });
  // prom-client names three gauges `*_total`, a suffix Prometheus reserves for counters (promtool
  // rejects the exposition); they say little that the handle/request counts elsewhere do not.
  for (const gauge of [
    'nodejs_active_handles_total',
    'nodejs_active_requests_total',
    'nodejs_active_resources_total',
  ]) {
    registry.removeSingleMetric(`athanor_${gauge}`);
  }
  const rpcHandled = new Counter({
    name: 'athanor_grpc_server_handled_total',
    help: 'RPCs completed by the server, by method and gRPC status code.',
    labelNames: ['method', 'code'] as const,
    registers: [registry],
  });
  const rpcSeconds = new Histogram({
    name: 'athanor_grpc_server_handling_seconds',
    help: 'Time from an RPC arriving to its status being sent, by method and gRPC status code.',
    labelNames: ['method', 'code'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
    registers: [registry],
  });
  return { registry, rpcHandled, rpcSeconds };
}
