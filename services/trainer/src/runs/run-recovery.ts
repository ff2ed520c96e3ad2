import { trainer } from '@athanor/contracts';
import type { LoopOutcome } from '../loop/training-loop';
import { isTerminalEvent } from './event-log';
import type { StoredRun } from './run-file';

const { RunState, FailureKind } = trainer;

/** Why a restarted trainer fails, rather than resumes, a run that executed a tuner trial. */
export const INTERRUPTED_TRIAL = 'interrupted: the trainer stopped; the tuner re-queues the trial';

/**
 * Restarts that may resume one run. A run that takes its trainer down with it (out of memory, a
 * crashing kernel) would otherwise take down every restart after it too.
 */
export const MAX_RESTARTS = 3;

/** What a restarted trainer does with a run record it loads. */
export type Recovery =
  /** The run ended before the restart and both files say so. */
  | { readonly kind: 'keep' }
  /** The event log has the terminal event, the record not yet (the process died in between). */
  | { readonly kind: 'settle-record'; readonly outcome: LoopOutcome }
  /** The record is terminal, the event log lacks the terminal event (it was lost): append it. */
  | { readonly kind: 'settle-log'; readonly outcome: LoopOutcome }
  /** The run was queued or training and is not to be resumed: it ends with `outcome`. */
  | { readonly kind: 'end'; readonly outcome: LoopOutcome }
  /** The run was queued or training: queue it again, from its newest checkpoint. */
  | { readonly kind: 'resume' };

const TERMINAL_STATES: ReadonlySet<trainer.RunState> = new Set([
  RunState.RUN_STATE_COMPLETED,
  RunState.RUN_STATE_FAILED,
  RunState.RUN_STATE_CANCELLED,
]);

export function recoveryOf(stored: StoredRun, events: readonly trainer.RunEvent[]): Recovery {
  const run = stored.run;
  const last = events[events.length - 1];
  const ended = TERMINAL_STATES.has(run.state);
  if (last !== undefined && isTerminalEvent(last))
    return ended ? { kind: 'keep' } : { kind: 'settle-record', outcome: outcomeOfEvent(last) };
  if (ended) return { kind: 'settle-log', outcome: outcomeOfRun(run) };
  const step = run.step;
  const lastCheckpoint = run.lastCheckpoint;
  // CancelRun was acknowledged: the run stops, as it would have at its next step.
  if (stored.cancelReason !== undefined)
    return {
      kind: 'end',
      outcome: { state: 'cancelled', cancelled: { reason: stored.cancelReason, step, lastCheckpoint } },
    };
  const failed = (reason: string): Recovery => ({
    kind: 'end',
    outcome: {
      state: 'failed',
      failed: { reason, kind: FailureKind.FAILURE_KIND_INTERNAL, step, lastCheckpoint },
    },
  });
  // The tuner re-leases the trial once this lease lapses; resumed here too, it would train twice.
  if (run.trial !== undefined) return failed(INTERRUPTED_TRIAL);
  if (stored.restarts >= MAX_RESTARTS)
    return failed(
      `interrupted: the trainer stopped while it was queued or training, ${stored.restarts + 1} times; not resumed again`,
    );
  return { kind: 'resume' };
}

function outcomeOfEvent(event: trainer.RunEvent): LoopOutcome {
  const body = event.event!;
  if (body.$case === 'finished') return { state: 'completed', finished: body.value };
  if (body.$case === 'cancelled') return { state: 'cancelled', cancelled: body.value };
  if (body.$case === 'failed') return { state: 'failed', failed: body.value };
  throw new Error(`${body.$case} is not a terminal event`);
}

/** The terminal event a terminal Run implies (the parts the record keeps). */
function outcomeOfRun(run: trainer.Run): LoopOutcome {
  const { step, lastCheckpoint } = run;
  if (run.state === RunState.RUN_STATE_COMPLETED)
    return {
      state: 'completed',
      finished: trainer.RunFinished.fromPartial({
        reason: run.finishReason,
        step,
        epoch: run.epoch,
        finalValidation: run.lastValidation,
        bestValidation: run.bestValidation,
        finalCheckpoint: lastCheckpoint,
        durationSeconds:
          run.startedAt && run.finishedAt ? (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000 : 0,
      }),
    };
  if (run.state === RunState.RUN_STATE_CANCELLED)
    return { state: 'cancelled', cancelled: { reason: run.failureReason, step, lastCheckpoint } };
  return {
    state: 'failed',
    failed: { reason: run.failureReason, kind: FailureKind.FAILURE_KIND_UNSPECIFIED, step, lastCheckpoint },
  };
}
