import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCompute } from '@athanor/compute';
import { trainer } from '@athanor/contracts';
import type { Logger } from '@athanor/service-kit';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointStore } from '../checkpoint/checkpoint-store';
import { tinyConfig } from '../testing/tiny-config';
import { type RunHooks, RunManager, type RunManagerOptions } from './run-manager';
import { EVENT_FILE, RUN_FILE } from './run-store';
import { INTERRUPTED_TRIAL } from './run-recovery';

const { RunState } = trainer;

let dir: string;
beforeAll(async () => {
  await initCompute();
  dir = mkdtempSync(join(tmpdir(), 'athanor-runs-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A logger that keeps the warnings. */
function recorder(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const log = {
    warnings,
    warn: (_: unknown, msg: string) => warnings.push(msg),
    info: () => undefined,
    debug: () => undefined,
    error: () => undefined,
  };
  return log as unknown as Logger & { warnings: string[] };
}

/** A manager on `root`; each call is a trainer (re)started on the same checkpoint directory. */
function manager(root: string, options: Partial<RunManagerOptions> = {}): RunManager {
  return new RunManager({
    concurrency: 1,
    maxQueued: 10,
    checkpoints: new CheckpointStore(join(root, 'checkpoints')),
    prepare: { dataRoot: join(dir, 'data'), cacheDir: join(dir, 'data', 'cache') },
    backend: tf.getBackend(),
    device: 'test',
    workerId: 'test-worker',
    ...options,
  });
}

/**
 * Hooks that stop a run dead at its first validation, as a killed trainer would: the run stays
 * RUNNING on disk, with the checkpoints it wrote before. `stalled` resolves then.
 */
function stallAtValidation(): { hooksFor: () => RunHooks; stalled: Promise<void> } {
  let stalled!: () => void;
  const promise = new Promise<void>((resolve) => (stalled = resolve));
  return {
    hooksFor: () => ({
      afterValidation: () => {
        stalled();
        return new Promise<undefined>(() => undefined);
      },
    }),
    stalled: promise,
  };
}

const cases = (events: trainer.RunEvent[]) => events.map((e) => e.event?.$case);

describe('RunManager: records survive a restart', () => {
  it('answers GetRun, ListRuns and WatchRun replay for runs from before', async () => {
    const root = join(dir, 'survive');
    const first = manager(root);
    const trial = { studyId: 'study-1', trialId: 'trial-1', leaseId: 'lease-1', trialNumber: 1 };
    const a = first.start(
      trainer.StartRunRequest.fromPartial({ config: tinyConfig(), requestId: 'key-a' }),
      '10.0.0.1',
    );
    const b = first.start(trainer.StartRunRequest.fromPartial({ config: tinyConfig({ name: 'b' }), trial }));
    await first.get(a.runId).done;
    await first.get(b.runId).done;
    const before = [first.snapshot(a.runId), first.snapshot(b.runId)];
    const eventsBefore = first.get(a.runId).log.since(0);

    const second = manager(root);
    expect([second.snapshot(a.runId), second.snapshot(b.runId)]).toEqual(before);
    expect(before[0].state).toBe(RunState.RUN_STATE_COMPLETED);
    expect(second.get(a.runId).client).toBe('10.0.0.1');
    expect(second.snapshot(b.runId).trial).toEqual(trial);
    expect(second.get(a.runId).config).toEqual(first.get(a.runId).config);
    // Replay: the same events, and a closed log (a watcher ends at once).
    const log = second.get(a.runId).log;
    expect(log.closed).toBe(true);
    expect(log.lastSequence).toBe(eventsBefore.length);
    expect(log.since(0)).toEqual(eventsBefore);
    expect(log.since(eventsBefore.length - 2).map((e) => e.sequence)).toEqual([
      eventsBefore.length - 1,
      eventsBefore.length,
    ]);
    // ListRuns: newest first, filters and paging.
    expect(second.list({}).runs.map((r) => r.id)).toEqual([b.runId, a.runId]);
    expect(second.list({ studyId: 'study-1' }).runs.map((r) => r.id)).toEqual([b.runId]);
    expect(second.list({ states: [RunState.RUN_STATE_FAILED] }).runs).toEqual([]);
    const page = second.list({ pageSize: 1, omitConfig: true });
    expect(page.runs.map((r) => [r.id, r.config])).toEqual([[b.runId, undefined]]);
    expect(second.list({ pageSize: 1, pageToken: page.nextPageToken }).runs[0].id).toBe(a.runId);
    // The idempotency key still finds the run; a new run gets a new id and comes first.
    expect(
      second.start(trainer.StartRunRequest.fromPartial({ config: tinyConfig(), requestId: 'key-a' })).runId,
    ).toBe(a.runId);
    const c = second.start(trainer.StartRunRequest.fromPartial({ config: tinyConfig() }));
    await second.get(c.runId).done;
    expect(second.list({}).runs.map((r) => r.id)).toEqual([c.runId, b.runId, a.runId]);
    expect(
      manager(root)
        .list({})
        .runs.map((r) => r.state),
    ).toEqual([RunState.RUN_STATE_COMPLETED, RunState.RUN_STATE_COMPLETED, RunState.RUN_STATE_COMPLETED]);
  });

  it('resumes an interrupted standalone run from its newest checkpoint', async () => {
    const root = join(dir, 'resume');
    const stall = stallAtValidation();
    const first = manager(root, { hooksFor: stall.hooksFor });
    // 8 steps an epoch, 16 in all; checkpoints at steps 3 and 6, then it stalls at step 8.
    const config = tinyConfig({ checkpoint: { everyNSteps: 3, keepLast: 0 } });
    const { runId } = first.start(trainer.StartRunRequest.fromPartial({ config }));
    await stall.stalled;
    expect(first.snapshot(runId).state).toBe(RunState.RUN_STATE_RUNNING);
    const seen = first.get(runId).log.lastSequence;
    // The process died while appending an event: half a line at the end of the file.
    appendFileSync(join(root, 'checkpoints', runId, EVENT_FILE), '{"runId":"');

    const second = manager(root);
    const queued = second.snapshot(runId);
    expect(queued.state).toBe(RunState.RUN_STATE_QUEUED);
    expect(queued.resumedFrom?.step).toBe(6);
    await second.get(runId).done;
    const run = second.snapshot(runId);
    expect(run.state).toBe(RunState.RUN_STATE_COMPLETED);
    expect(run.step).toBe(16);
    expect(run.createdAt).toEqual(first.snapshot(runId).createdAt);
    const events = second.get(runId).log.since(0);
    // The events from before, then a second `started` that says where training resumed from.
    const restarted = events.filter((e) => e.event?.$case === 'started');
    expect(restarted).toHaveLength(2);
    expect(restarted[1].sequence).toBe(seen + 1);
    expect(restarted[1].event?.$case === 'started' && restarted[1].event.value.resumedFrom?.step).toBe(6);
    expect(cases(events).at(-1)).toBe('finished');
    // The file was repaired and extended: a third trainer reads it whole.
    expect(manager(root).get(runId).log.since(0)).toEqual(events);
  });

  it('fails an interrupted tuner trial run instead of training it twice', async () => {
    const root = join(dir, 'trial');
    const stall = stallAtValidation();
    const first = manager(root, { hooksFor: stall.hooksFor });
    const trial = { studyId: 's', trialId: 't', leaseId: 'l', trialNumber: 3 };
    const { runId } = first.start(trainer.StartRunRequest.fromPartial({ config: tinyConfig(), trial }));
    await stall.stalled;
    const before = first.get(runId).log.lastSequence;

    const second = manager(root);
    const run = second.snapshot(runId);
    expect(run.state).toBe(RunState.RUN_STATE_FAILED);
    expect(run.failureReason).toBe(INTERRUPTED_TRIAL);
    const events = second.get(runId).log.since(before);
    expect(cases(events)).toEqual(['failed']);
    expect(events[0].event?.$case === 'failed' && events[0].event.value.reason).toBe(INTERRUPTED_TRIAL);
    expect(second.activeRuns).toBe(0);
    expect(manager(root).snapshot(runId).failureReason).toBe(INTERRUPTED_TRIAL);
  });

  it('skips a run whose record or events are corrupt or half-written, with a warning', async () => {
    const root = join(dir, 'corrupt');
    const first = manager(root);
    const ids = ['a', 'b', 'c', 'd'].map(
      (name) => first.start(trainer.StartRunRequest.fromPartial({ config: tinyConfig({ name }) })).runId,
    );
    for (const id of ids) await first.get(id).done;
    const file = (id: string, name: string) => join(root, 'checkpoints', id, name);
    const record = readFileSync(file(ids[0], RUN_FILE), 'utf8');
    writeFileSync(file(ids[0], RUN_FILE), record.slice(0, record.length / 2));
    writeFileSync(file(ids[1], RUN_FILE), JSON.stringify({ format: 'athanor.run/v1', run: { id: ids[1] } }));
    const events = readFileSync(file(ids[2], EVENT_FILE), 'utf8').split('\n');
    events[1] = '{"runId": garbage';
    writeFileSync(file(ids[2], EVENT_FILE), events.join('\n'));

    // A crash mid-write of run d's record left its temporary file; the record itself is whole.
    writeFileSync(file(ids[3], `${RUN_FILE}.tmp-99999`), record.slice(0, 10));

    const logger = recorder();
    const second = manager(root, { logger });
    expect(existsSync(file(ids[3], `${RUN_FILE}.tmp-99999`))).toBe(false);
    expect(second.list({}).runs.map((r) => r.id)).toEqual([ids[3]]);
    expect(logger.warnings).toEqual(Array(3).fill('skipping a run record that cannot be read'));
    expect(() => second.get(ids[0])).toThrow(/not found/i);
    // The trainer works on.
    const { runId } = second.start(trainer.StartRunRequest.fromPartial({ config: tinyConfig() }));
    await second.get(runId).done;
    expect(second.snapshot(runId).state).toBe(RunState.RUN_STATE_COMPLETED);
  });

  it('keeps the event file within its bound of step events', async () => {
    const root = join(dir, 'bound');
    const first = manager(root, { maxStepEventsOnDisk: 10 });
    // 8 steps an epoch, 6 epochs: 48 step events.
    const { runId } = first.start(trainer.StartRunRequest.fromPartial({ config: tinyConfig({ epochs: 6 }) }));
    await first.get(runId).done;
    const live = first.get(runId).log.since(0);
    const lines = readFileSync(join(root, 'checkpoints', runId, EVENT_FILE), 'utf8').split('\n');
    expect(lines.filter((l) => l.includes('"step":{')).length).toBeLessThanOrEqual(10);

    const replay = manager(root).get(runId).log.since(0);
    const notSteps = (events: trainer.RunEvent[]) =>
      events.filter((e) => e.event?.$case !== 'step' && e.event?.$case !== 'gradientReport');
    expect(live.filter((e) => e.event?.$case === 'step')).toHaveLength(48);
    expect(notSteps(replay)).toEqual(notSteps(live));
    expect(replay.filter((e) => e.event?.$case === 'step').length).toBeLessThanOrEqual(10);
  });
});
