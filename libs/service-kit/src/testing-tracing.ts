/**
 * Tracing for tests: spans in memory, and assertions that they link across services. Like
 * ./tracing, this module loads no gRPC code: start it before anything loads @grpc/grpc-js, then
 * load the services and clients (the instrumentation patches grpc-js as it is loaded).
 *
 *   const tracing = startTestTracing('tuner-test');
 *   const { startTuner } = require('@athanor/tuner');   // loaded after tracing started
 *   ... make calls ...
 *   const spans = await tracing.waitForSpans((s) => s.some((x) => x.kind === 'server'));
 *   expectChain(spans, [{ kind: 'client', rpc: 'TunerService/SuggestTrials' },
 *                       { kind: 'server', rpc: 'TunerService/SuggestTrials' }]);
 */
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTracing, stopTracing } from './tracing';

/** A finished span, reduced to what cross-service assertions need. */
export interface SpanRecord {
  readonly traceId: string;
  readonly spanId: string;
  /** Parent span id; undefined for a root span. */
  readonly parentSpanId: string | undefined;
  /** Whether the parent came from another process or server (W3C traceparent), not a local span. */
  readonly parentIsRemote: boolean;
  readonly name: string;
  readonly kind: 'internal' | 'server' | 'client' | 'producer' | 'consumer';
  /** `service.name` of the process that recorded the span. */
  readonly service: string;
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** What a step of a chain must match: every given field. `rpc` matches the end of the name. */
export interface SpanMatcher {
  readonly kind?: SpanRecord['kind'];
  readonly name?: string;
  /** e.g. "MetricsService/QueryRun": matches a span name ending in it. */
  readonly rpc?: string;
}

const KINDS: Record<SpanKind, SpanRecord['kind']> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};

export function toSpanRecord(span: ReadableSpan): SpanRecord {
  const context = span.spanContext();
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    parentIsRemote: span.parentSpanContext?.isRemote ?? false,
    name: span.name,
    kind: KINDS[span.kind],
    service: String(span.resource.attributes['service.name'] ?? ''),
    attributes: span.attributes,
  };
}

export interface TestTracing {
  readonly exporter: InMemorySpanExporter;
  /** The spans finished so far. */
  spans(): SpanRecord[];
  /** Polls until `ready(spans)` holds (a server span ends after its client sees the answer). */
  waitForSpans(ready: (spans: SpanRecord[]) => boolean, timeoutMs?: number): Promise<SpanRecord[]>;
  reset(): void;
  stop(): Promise<void>;
}

/**
 * Starts the process's tracing (service-kit's startTracing, W3C propagation, gRPC
 * instrumentation) with an in-memory exporter. Throws if tracing was already started without it,
 * because spans would then go elsewhere.
 */
export function startTestTracing(service: string): TestTracing {
  const exporter = new InMemorySpanExporter();
  startTracing(service, { exporter });
  const spans = () => exporter.getFinishedSpans().map(toSpanRecord);
  return {
    exporter,
    spans,
    async waitForSpans(ready, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const now = spans();
        if (ready(now)) return now;
        if (Date.now() > deadline)
          throw new Error(`spans not ready after ${timeoutMs} ms; have:\n${describeSpans(now)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    reset: () => exporter.reset(),
    stop: stopTracing,
  };
}

export function matches(span: SpanRecord, m: SpanMatcher): boolean {
  return (
    (m.kind === undefined || span.kind === m.kind) &&
    (m.name === undefined || span.name === m.name) &&
    (m.rpc === undefined || span.name.endsWith(m.rpc))
  );
}

/** The spans as an indented tree per trace, for failure messages. */
export function describeSpans(spans: readonly SpanRecord[]): string {
  const ids = new Set(spans.map((s) => s.spanId));
  const lines: string[] = [];
  const walk = (span: SpanRecord, depth: number): void => {
    lines.push(
      `${'  '.repeat(depth)}${span.kind} ${span.name} [${span.service}] ${span.traceId.slice(0, 8)}/${span.spanId}`,
    );
    for (const child of spans.filter((s) => s.parentSpanId === span.spanId)) walk(child, depth + 1);
  };
  for (const root of spans.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId))) walk(root, 0);
  return lines.join('\n') || '(no spans)';
}

/** Throws unless `child` is a direct child of `parent` in the same trace. */
export function expectChildOf(child: SpanRecord, parent: SpanRecord): void {
  if (child.traceId !== parent.traceId || child.parentSpanId !== parent.spanId)
    throw new Error(
      `expected ${child.kind} ${child.name} (trace ${child.traceId}, parent ${child.parentSpanId}) to be a child of ` +
        `${parent.kind} ${parent.name} (trace ${parent.traceId}, span ${parent.spanId})`,
    );
}

/**
 * Finds one trace in which each matcher's span is the direct child of the previous one's, e.g.
 * client -> server -> client -> server across two hops; returns the spans. Throws with the span
 * tree when there is none. A server span following a client span must have a remote parent:
 * the link crossed the wire as W3C trace context, it was not inherited in-process.
 */
export function expectChain(spans: readonly SpanRecord[], chain: readonly SpanMatcher[]): SpanRecord[] {
  const extend = (found: SpanRecord[]): SpanRecord[] | undefined => {
    if (found.length === chain.length) return found;
    const previous = found[found.length - 1];
    for (const candidate of spans) {
      if (!matches(candidate, chain[found.length])) continue;
      if (previous) {
        if (candidate.parentSpanId !== previous.spanId || candidate.traceId !== previous.traceId) continue;
        if (previous.kind === 'client' && candidate.kind === 'server' && !candidate.parentIsRemote) continue;
      }
      const done = extend([...found, candidate]);
      if (done) return done;
    }
    return undefined;
  };
  const found = extend([]);
  if (!found)
    throw new Error(
      `no trace links ${chain.map((m) => `${m.kind ?? '*'} ${m.rpc ?? m.name ?? '*'}`).join(' -> ')}; spans:\n${describeSpans(spans)}`,
    );
  return found;
}
