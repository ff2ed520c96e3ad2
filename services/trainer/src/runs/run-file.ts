import { trainer, training } from '@athanor/contracts';
import { jsonText } from './json-text';
import type { RunOwner } from './run-owner';

const FORMAT = 'athanor.run/v1';

export class RunFileError extends Error {
  override readonly name = 'RunFileError';
}

/** What a run's record file holds: the Run (config, state, times, trial, checkpoints, result) and more. */
export interface StoredRun {
  readonly run: trainer.Run;
  /** Who asked for the run (StartRun's caller); empty for runs the worker starts itself. */
  readonly client: string;
  /** StartRunRequest.request_id; empty if none. */
  readonly requestId: string;
  /** CancelRun's reason while the run had yet to stop. */
  readonly cancelReason?: string;
  /** StartRunRequest.resume_from: where the run began. */
  readonly resumeFrom?: training.CheckpointRef;
  readonly owner: RunOwner;
  /** Times a restarted trainer resumed the run. */
  readonly restarts: number;
}

export function encodeRun(stored: StoredRun): string {
  return jsonText({
    format: FORMAT,
    owner: stored.owner,
    client: stored.client,
    requestId: stored.requestId,
    ...(stored.cancelReason !== undefined ? { cancelReason: stored.cancelReason } : {}),
    ...(stored.resumeFrom ? { resumeFrom: training.CheckpointRef.toJSON(stored.resumeFrom) } : {}),
    restarts: stored.restarts,
    run: trainer.Run.toJSON(stored.run),
  });
}

const STATES = new Set<number>([
  trainer.RunState.RUN_STATE_QUEUED,
  trainer.RunState.RUN_STATE_RUNNING,
  trainer.RunState.RUN_STATE_COMPLETED,
  trainer.RunState.RUN_STATE_FAILED,
  trainer.RunState.RUN_STATE_CANCELLED,
]);

/** The record in `text` (a run.json), or a RunFileError saying what is wrong with it. */
export function decodeRun(text: string): StoredRun {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new RunFileError(`not JSON: ${(error as Error).message}`);
  }
  if (o === null || typeof o !== 'object' || o.format !== FORMAT)
    throw new RunFileError(`not a run record (format is not ${FORMAT})`);
  const owner = o.owner as Partial<RunOwner> | undefined;
  if (typeof owner?.host !== 'string' || !Number.isSafeInteger(owner.pid))
    throw new RunFileError('owner is missing or malformed');
  if (typeof o.client !== 'string' || typeof o.requestId !== 'string')
    throw new RunFileError('client or requestId is missing');
  if (o.cancelReason !== undefined && typeof o.cancelReason !== 'string')
    throw new RunFileError('cancelReason is not a string');
  if (!Number.isSafeInteger(o.restarts) || (o.restarts as number) < 0)
    throw new RunFileError('restarts is not a count');
  if (o.run === null || typeof o.run !== 'object') throw new RunFileError('run is missing');
  let run: trainer.Run;
  try {
    run = trainer.Run.fromJSON(o.run);
  } catch (error) {
    throw new RunFileError(`run: ${(error as Error).message}`);
  }
  if (run.id === '') throw new RunFileError('run.id is empty');
  if (!STATES.has(run.state)) throw new RunFileError(`run.state ${String(run.state)} is not a run state`);
  if (run.config === undefined) throw new RunFileError('run.config is missing');
  if (run.createdAt === undefined || Number.isNaN(run.createdAt.getTime()))
    throw new RunFileError('run.createdAt is missing');
  return {
    run,
    client: o.client,
    requestId: o.requestId,
    ...(o.cancelReason !== undefined ? { cancelReason: o.cancelReason } : {}),
    ...(o.resumeFrom !== undefined ? { resumeFrom: training.CheckpointRef.fromJSON(o.resumeFrom) } : {}),
    owner: { host: owner.host, pid: owner.pid! },
    restarts: o.restarts as number,
  };
}
