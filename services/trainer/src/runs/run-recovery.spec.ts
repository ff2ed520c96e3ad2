import { trainer } from '@athanor/contracts';
import { describe, expect, it } from 'vitest';
import type { StoredRun } from './run-file';
import { INTERRUPTED_TRIAL, MAX_RESTARTS, recoveryOf } from './run-recovery';

const { RunState } = trainer;

const stored = (run: Partial<trainer.Run>, rest: Partial<StoredRun> = {}): StoredRun => ({
  run: trainer.Run.fromPartial({ id: 'run-1', step: 7, ...run }),
  client: '',
  requestId: '',
  owner: { host: 'h', pid: 1 },
  restarts: 0,
  ...rest,
});
const event = (sequence: number, body: trainer.RunEvent['event']): trainer.RunEvent => ({
  runId: 'run-1',
  sequence,
  time: new Date(0),
  event: body,
});
const started = event(1, { $case: 'started', value: trainer.RunStarted.fromPartial({}) });
const finished = event(2, { $case: 'finished', value: trainer.RunFinished.fromPartial({ step: 9 }) });

describe('recoveryOf', () => {
  it('keeps finished runs and mends a record or log that missed the end', () => {
    expect(recoveryOf(stored({ state: RunState.RUN_STATE_COMPLETED }), [started, finished])).toEqual({
      kind: 'keep',
    });
    expect(recoveryOf(stored({ state: RunState.RUN_STATE_RUNNING }), [started, finished])).toMatchObject({
      kind: 'settle-record',
      outcome: { state: 'completed', finished: { step: 9 } },
    });
    expect(
      recoveryOf(stored({ state: RunState.RUN_STATE_CANCELLED, failureReason: 'by request' }), [started]),
    ).toMatchObject({
      kind: 'settle-log',
      outcome: { state: 'cancelled', cancelled: { reason: 'by request', step: 7 } },
    });
  });

  it('resumes standalone runs, fails trials and runs that keep dying, ends cancelled ones', () => {
    expect(recoveryOf(stored({ state: RunState.RUN_STATE_QUEUED }), [])).toEqual({ kind: 'resume' });
    expect(recoveryOf(stored({ state: RunState.RUN_STATE_RUNNING }), [started])).toEqual({ kind: 'resume' });
    const trial = { studyId: 's', trialId: 't', leaseId: 'l', trialNumber: 0 };
    expect(recoveryOf(stored({ state: RunState.RUN_STATE_RUNNING, trial }), [started])).toMatchObject({
      kind: 'end',
      outcome: { state: 'failed', failed: { reason: INTERRUPTED_TRIAL, step: 7 } },
    });
    expect(
      recoveryOf(stored({ state: RunState.RUN_STATE_RUNNING }, { restarts: MAX_RESTARTS }), [started]),
    ).toMatchObject({ kind: 'end', outcome: { state: 'failed' } });
    expect(
      recoveryOf(stored({ state: RunState.RUN_STATE_RUNNING }, { cancelReason: 'by request' }), [started]),
    ).toMatchObject({ kind: 'end', outcome: { state: 'cancelled', cancelled: { reason: 'by request' } } });
  });
});
