import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  isSpanContextValid,
  type Link,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { TrialIdentity, TrialRecord } from '@athanor/store';

// W3C whatever OTEL_PROPAGATORS says: the contract's trace_parent is a W3C traceparent.
const w3c = new W3CTraceContextPropagator();
const tracer = () => trace.getTracer('athanor-tuner');

/** The span of the call being served (SuggestTrials' server span), to link new trial traces to. */
export function activeSpanContext(): SpanContext | undefined {
  const span = trace.getSpan(context.active())?.spanContext();
  return span && isSpanContextValid(span) ? span : undefined;
}

const linksTo = (caller: SpanContext | undefined): Link[] => (caller ? [{ context: caller }] : []);

const attributesOf = (trial: TrialIdentity) => ({
  'athanor.study_id': trial.studyId,
  'athanor.trial_id': trial.id,
  'athanor.trial_number': trial.number,
});

/**
 * A trial's own trace, made at its first lease: a root span `tuner.trial` (not a child of the
 * SuggestTrials call, which is one worker's poll among many, but linked to it), ended at once.
 * Returns its W3C traceparent to store with the trial; undefined when tracing is off.
 */
export function startTrialTrace(trial: TrialIdentity, caller: SpanContext | undefined): string | undefined {
  const span = tracer().startSpan('tuner.trial', {
    root: true,
    attributes: attributesOf(trial),
    links: linksTo(caller),
  });
  span.end();
  return traceParentOf(span);
}

/**
 * A lease of the trial: a span `tuner.trial.lease` whose parent is the trial's stored context, so
 * every attempt (a re-lease after a lapsed lease too) lands in the trial's trace; the worker makes
 * its run a child of the returned traceparent. '' when tracing is off or the trial has no trace.
 */
export function leaseTraceParent(trial: TrialRecord, caller: SpanContext | undefined): string {
  if (!trial.traceParent) return '';
  const parent = w3c.extract(ROOT_CONTEXT, { traceparent: trial.traceParent }, defaultTextMapGetter);
  const parentSpan = trace.getSpanContext(parent);
  if (!parentSpan || !isSpanContextValid(parentSpan)) return '';
  const span = tracer().startSpan(
    'tuner.trial.lease',
    {
      attributes: {
        ...attributesOf(trial),
        'athanor.worker_id': trial.workerId,
        'athanor.trial_attempt': trial.attempts,
      },
      links: linksTo(caller),
    },
    parent,
  );
  span.end();
  // Without an SDK the API hands back the parent itself (a non-recording copy): tracing is off.
  if (span.spanContext().spanId === parentSpan.spanId) return '';
  return traceParentOf(span) ?? '';
}

function traceParentOf(span: Span): string | undefined {
  if (!isSpanContextValid(span.spanContext())) return undefined;
  const carrier: Record<string, string> = {};
  w3c.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
  return carrier.traceparent;
}
