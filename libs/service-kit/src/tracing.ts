/**
 * OpenTelemetry for a service process. Imported through `@athanor/service-kit/tracing` before
 * anything else, because the gRPC instrumentation must patch @grpc/grpc-js before it is loaded.
 * This module therefore imports no gRPC code. Off unless the standard OTEL_* variables ask for it.
 */
import type { NodeSDK as Sdk } from '@opentelemetry/sdk-node';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

/** True when the standard variables configure an exporter (OTEL_TRACES_EXPORTER or an OTLP endpoint). */
export function tracingRequested(env: Readonly<Record<string, string | undefined>>): boolean {
  if ((env.OTEL_SDK_DISABLED ?? '').toLowerCase() === 'true') return false;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim();
  if (exporter) return exporter !== 'none';
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

let sdk: Sdk | undefined;

/**
 * Starts tracing once per process. `exporter` (tests: an in-memory exporter) forces tracing on and
 * exports each span as it ends; otherwise NodeSDK picks the exporter from OTEL_TRACES_EXPORTER.
 * Context crosses services as W3C trace context in gRPC metadata (NodeSDK's default propagator).
 */
export function startTracing(
  service: string,
  options: { exporter?: SpanExporter; env?: Readonly<Record<string, string | undefined>> } = {},
): boolean {
  if (sdk) return true;
  const env = options.env ?? process.env;
  if (!options.exporter && !tracingRequested(env)) return false;
  // Loaded only when tracing is on: the SDK takes about a second to load, and most runs do not trace.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { GrpcInstrumentation } =
    require('@opentelemetry/instrumentation-grpc') as typeof import('@opentelemetry/instrumentation-grpc');
  const { SimpleSpanProcessor } =
    require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const started = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? `athanor-${service}`,
    instrumentations: [new GrpcInstrumentation()],
    ...(options.exporter ? { spanProcessors: [new SimpleSpanProcessor(options.exporter)] } : {}),
  });
  started.start();
  sdk = started;
  return true;
}

/** Flushes and stops tracing; the last step of a service's shutdown. */
export async function stopTracing(): Promise<void> {
  const current = sdk;
  sdk = undefined;
  await current?.shutdown();
}
