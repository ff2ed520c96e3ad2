import { type Context, context, propagation, ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { trainer } from '@athanor/contracts';
import type { RunRecord } from './run-manager';

const tracer = trace.getTracer('athanor-trainer');

/**
 * The context a trial's run starts under: the trace the tuner gave the trial (its W3C traceparent),
 * so the trial is one trace across tuner, trainer, model-builder and metrics. Empty: a new trace.
 */
export function trialContext(traceParent: string): Context {
  return traceParent === '' ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, { traceparent: traceParent });
}

/**
 * Runs `execute` inside the run's span (`trainer.run`, a child of `parent`): the loop's epoch and
 * checkpoint spans and every call the run makes (BuildModel, ReportIntermediate, CompleteTrial,
 * the last ReportMetrics) join it. The span ends with the run's final state.
 */
export async function withRunSpan(
  record: RunRecord,
  parent: Context,
  execute: () => Promise<void>,
): Promise<void> {
  const { run } = record;
  const span = tracer.startSpan(
    'trainer.run',
    {
      attributes: {
        'athanor.run_id': run.id,
        'athanor.run_name': run.name,
        'athanor.trial_id': run.trial?.trialId ?? '',
        'athanor.study_id': run.trial?.studyId ?? '',
        'athanor.backend': run.backend,
        'athanor.resumed_from_step': record.resumeFrom?.step ?? 0,
      },
    },
    parent,
  );
  try {
    await context.with(trace.setSpan(parent, span), execute);
  } finally {
    span.setAttributes({ 'athanor.state': trainer.runStateToJSON(run.state), 'athanor.step': run.step });
    if (run.state === trainer.RunState.RUN_STATE_FAILED)
      span.setStatus({ code: SpanStatusCode.ERROR, message: run.failureReason });
    span.end();
  }
}
