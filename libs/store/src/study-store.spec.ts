import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from './open-store';
import type { TrialRecord } from './records';
import { LeaseLostError, StudyNotFoundError, TrialNotFoundError } from './store-errors';
import type { NewStudy, StudyStore } from './study-store';

const dir = mkdtempSync(join(tmpdir(), 'athanor-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pgUrl = process.env.ATHANOR_TEST_POSTGRES_URL;
const backends = [
  { name: 'sqlite', open: () => openStore({ dataDir: dir, url: `s-${randomUUID()}.sqlite` }), skip: false },
  { name: 'postgres', open: () => openStore({ url: pgUrl }), skip: !pgUrl },
];

const T0 = 1_700_000_000_000;

function newStudy(over: Partial<NewStudy> = {}): NewStudy {
  return {
    id: randomUUID(),
    name: 'quadratic',
    spec: { objective: { metric: 'val_loss' } },
    direction: 'MINIMIZE',
    maxTrials: 0,
    maxParallel: 100,
    maxAttempts: 3,
    leaseMs: 1000,
    deadline: null,
    requestId: '',
    now: T0,
    ...over,
  };
}

const ids = (n: number) => Array.from({ length: n }, () => randomUUID());
const trials = (n: number, x = 0) =>
  Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    params: { x: x + i, opt: 'sgd' },
    scaling: null,
  }));

describe.each(backends)('StudyStore contract: $name', ({ open, skip }) => {
  let store: StudyStore;
  beforeAll(async () => {
    if (!skip) store = await open();
  });
  afterAll(async () => {
    await store?.close();
  });

  async function leaseNew(studyId: string, n: number, worker = 'w1', now = T0): Promise<TrialRecord[]> {
    const made = trials(n);
    return store.createLeasedTrials({
      studyId,
      workerId: worker,
      count: n,
      make: (k) => made[k % n],
      leaseIds: ids(n),
      now,
    });
  }

  it.skipIf(skip)('creates a study once per request id and lists newest first by state', async () => {
    const key = randomUUID();
    const a = await store.createStudy(newStudy({ requestId: key }));
    const b = await store.createStudy(newStudy({ requestId: key, name: 'other' }));
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.study.id).toBe(a.study.id);
    expect(a.study.state).toBe('RUNNING');
    expect(a.study.spec).toEqual({ objective: { metric: 'val_loss' } });
    const later = await store.createStudy(newStudy({ now: T0 + 10_000_000 }));
    const page = await store.listStudies({ states: ['RUNNING'], limit: 2, offset: 0 });
    expect(page[0].createdAt).toBeGreaterThanOrEqual(later.study.createdAt);
    expect(await store.getStudy('nope')).toBeUndefined();
  });

  it.skipIf(skip)('creates leased trials within max parallel and max trials, numbered from 0', async () => {
    const { study } = await store.createStudy(newStudy({ maxParallel: 2, maxTrials: 3 }));
    const first = await leaseNew(study.id, 5);
    expect(first.map((t) => t.number)).toEqual([0, 1]);
    expect(
      first.every((t) => t.state === 'RUNNING' && t.attempts === 1 && t.leaseExpiresAt === T0 + 1000),
    ).toBe(true);
    expect(await leaseNew(study.id, 1)).toEqual([]);
    await store.finishTrial({
      trialId: first[0].id,
      leaseId: first[0].leaseId,
      now: T0 + 1,
      outcome: { state: 'COMPLETED', value: 2, metrics: { acc: 0.5 } },
    });
    const third = await leaseNew(study.id, 5);
    expect(third.map((t) => t.number)).toEqual([2]);
    await store.finishTrial({
      trialId: first[1].id,
      leaseId: first[1].leaseId,
      now: T0 + 2,
      outcome: { state: 'COMPLETED', value: 1, metrics: {} },
    });
    expect(await leaseNew(study.id, 1)).toEqual([]); // max_trials spent
    await store.finishTrial({
      trialId: third[0].id,
      leaseId: third[0].leaseId,
      now: T0 + 3,
      outcome: { state: 'INFEASIBLE', reason: 'out of memory' },
    });
    const done = (await store.getStudy(study.id))!;
    expect(done.state).toBe('COMPLETED');
    expect(done.stopReason).toBe('max_trials reached');
    expect(done.counts).toMatchObject({ completed: 2, infeasible: 1, running: 0 });
    expect(done.bestValue).toBe(1);
    expect(done.bestTrialId).toBe(first[1].id);
    expect((await store.bestTrials(study.id, 10)).map((t) => t.objectiveValue)).toEqual([1, 2]);
  });

  it.skipIf(skip)('checks leases: unknown trial, foreign lease, finished trial', async () => {
    const { study } = await store.createStudy(newStudy());
    const [t] = await leaseNew(study.id, 1);
    await expect(store.heartbeat({ trialId: 'nope', leaseId: 'x', now: T0 })).rejects.toBeInstanceOf(
      TrialNotFoundError,
    );
    await expect(store.heartbeat({ trialId: t.id, leaseId: 'other', now: T0 })).rejects.toBeInstanceOf(
      LeaseLostError,
    );
    const beat = await store.heartbeat({
      trialId: t.id,
      leaseId: t.leaseId,
      now: T0 + 500,
      step: 7,
      runId: 'run-1',
      checkpoint: { uri: 'file:///c/7', step: 7 },
    });
    expect(beat.leaseExpiresAt).toBe(T0 + 1500);
    expect(beat.step).toBe(7);
    expect(beat.checkpoint).toEqual({ uri: 'file:///c/7', step: 7 });
    await store.finishTrial({
      trialId: t.id,
      leaseId: t.leaseId,
      now: T0 + 600,
      outcome: { state: 'COMPLETED', value: 3, metrics: {} },
    });
    await expect(
      store.finishTrial({
        trialId: t.id,
        leaseId: t.leaseId,
        now: T0 + 700,
        outcome: { state: 'COMPLETED', value: 1, metrics: {} },
      }),
    ).rejects.toThrow(/already completed/);
    await expect(
      store.createLeasedTrials({
        studyId: 'nope',
        workerId: 'w',
        count: 1,
        make: () => trials(1)[0],
        leaseIds: ids(1),
        now: T0,
      }),
    ).rejects.toBeInstanceOf(StudyNotFoundError);
  });

  it.skipIf(skip)(
    'keeps intermediate values and the prune decision; pruned trials keep the last value',
    async () => {
      const { study } = await store.createStudy(newStudy());
      const [t] = await leaseNew(study.id, 1);
      await store.reportIntermediate({
        trialId: t.id,
        leaseId: t.leaseId,
        now: T0 + 1,
        step: 1,
        value: 0.9,
        prune: false,
      });
      const pruned = await store.reportIntermediate({
        trialId: t.id,
        leaseId: t.leaseId,
        now: T0 + 2,
        step: 2,
        value: 0.8,
        prune: true,
      });
      expect(pruned.stopReason).toBe('PRUNED');
      expect((await store.intermediateValues(t.id)).map((p) => [p.step, p.value])).toEqual([
        [1, 0.9],
        [2, 0.8],
      ]);
      expect((await store.studyIntermediateValues(study.id)).get(t.id)).toHaveLength(2);
      const done = await store.finishTrial({
        trialId: t.id,
        leaseId: t.leaseId,
        now: T0 + 3,
        outcome: { state: 'PRUNED', step: 2 },
      });
      expect(done.state).toBe('PRUNED');
      expect(done.objectiveValue).toBe(0.8);
    },
  );

  it.skipIf(skip)(
    're-queues lapsed leases with their checkpoint, then fails after max attempts',
    async () => {
      const { study } = await store.createStudy(newStudy({ maxAttempts: 2 }));
      const [t] = await leaseNew(study.id, 1);
      await store.heartbeat({
        trialId: t.id,
        leaseId: t.leaseId,
        now: T0 + 100,
        checkpoint: { uri: 'file:///ck' },
      });
      const requeued = (await store.requeueExpired(T0 + 1101)).filter((x) => x.id === t.id);
      expect(requeued).toMatchObject([{ state: 'QUEUED', leaseId: '', checkpoint: { uri: 'file:///ck' } }]);
      // The old lease is gone: its holder learns it lost the trial.
      await expect(store.heartbeat({ trialId: t.id, leaseId: t.leaseId, now: T0 + 1200 })).rejects.toThrow(
        /back to the queue/,
      );
      const [again] = await store.leaseQueued({
        studyId: study.id,
        workerId: 'w2',
        count: 1,
        now: T0 + 2000,
        leaseIds: ['L2'],
      });
      expect(again).toMatchObject({
        id: t.id,
        attempts: 2,
        workerId: 'w2',
        leaseId: 'L2',
        checkpoint: { uri: 'file:///ck' },
      });
      const failed = (await store.requeueExpired(T0 + 3001)).filter((x) => x.id === t.id);
      expect(failed).toMatchObject([{ state: 'FAILED' }]);
      expect(failed[0].failureReason).toMatch(/no attempts left/);
      expect((await store.getStudy(study.id))!.counts).toMatchObject({ failed: 1, queued: 0, running: 0 });
    },
  );

  it.skipIf(skip)('retries retryable failures up to max attempts', async () => {
    const { study } = await store.createStudy(newStudy({ maxAttempts: 2 }));
    const [t] = await leaseNew(study.id, 1);
    const first = await store.finishTrial({
      trialId: t.id,
      leaseId: t.leaseId,
      now: T0 + 1,
      outcome: { state: 'FAILED', reason: 'node lost', retryable: true },
    });
    expect(first.state).toBe('QUEUED');
    const [again] = await store.leaseQueued({
      studyId: study.id,
      workerId: 'w',
      count: 1,
      now: T0 + 2,
      leaseIds: ['L'],
    });
    const second = await store.finishTrial({
      trialId: again.id,
      leaseId: 'L',
      now: T0 + 3,
      outcome: { state: 'FAILED', reason: 'node lost', retryable: true },
    });
    expect(second.state).toBe('FAILED');
  });

  it.skipIf(skip)('numbers events from 1 without gaps and tells subscribers', async () => {
    const heard: string[] = [];
    const off = store.subscribe((id) => heard.push(id));
    const { study } = await store.createStudy(newStudy());
    const [t] = await leaseNew(study.id, 1);
    await store.reportIntermediate({
      trialId: t.id,
      leaseId: t.leaseId,
      now: T0 + 1,
      step: 1,
      value: 5,
      prune: false,
    });
    await store.finishTrial({
      trialId: t.id,
      leaseId: t.leaseId,
      now: T0 + 2,
      outcome: { state: 'COMPLETED', value: 4, metrics: {} },
    });
    off();
    const events = await store.events(study.id, 0);
    expect(events.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(events.map((e) => e.event.kind)).toEqual(['study', 'trial', 'intermediate', 'trial', 'new_best']);
    expect((await store.events(study.id, 3)).map((e) => e.sequence)).toEqual([4, 5]);
    expect(heard).toContain(study.id);
  });

  it.skipIf(skip)(
    'stops: nothing new is leased, and STOPPING becomes STOPPED when the last trial ends',
    async () => {
      const { study } = await store.createStudy(newStudy());
      const [t] = await leaseNew(study.id, 1);
      const stopping = await store.setStudyState(study.id, {
        state: 'STOPPING',
        reason: 'enough',
        stopRunning: true,
        now: T0 + 1,
      });
      expect(stopping).toMatchObject({ state: 'STOPPING', stopRunning: true, stopReason: 'enough' });
      expect(await leaseNew(study.id, 1)).toEqual([]);
      await store.finishTrial({
        trialId: t.id,
        leaseId: t.leaseId,
        now: T0 + 2,
        outcome: { state: 'COMPLETED', value: 1, metrics: {} },
      });
      const stopped = (await store.getStudy(study.id))!;
      expect(stopped.state).toBe('STOPPED');
      expect(stopped.finishedAt).toBe(T0 + 2);
    },
  );

  it.skipIf(skip)('passes the final trial number to make(), and stops when it gives nothing', async () => {
    const { study } = await store.createStudy(newStudy());
    const grid = ['a', 'b', 'c'];
    const seen: number[] = [];
    const make = (n: number) => {
      seen.push(n);
      return n < grid.length ? { id: randomUUID(), params: { g: grid[n] }, scaling: null } : undefined;
    };
    const got = (
      await Promise.all(
        [0, 1, 2].map(() =>
          store.createLeasedTrials({
            studyId: study.id,
            workerId: 'w',
            count: 2,
            make,
            leaseIds: ids(2),
            now: T0,
          }),
        ),
      )
    ).flat();
    expect(got.map((t) => t.params.g).sort()).toEqual(['a', 'b', 'c']);
    expect(got.map((t) => t.number).sort()).toEqual([0, 1, 2]);
  });

  it.skipIf(skip)('completes a study whose time is up once nothing runs', async () => {
    const { study } = await store.createStudy(newStudy({ deadline: T0 + 100 }));
    const [t] = await leaseNew(study.id, 1);
    expect(await leaseNew(study.id, 1, 'w', T0 + 200)).toEqual([]);
    await store.finishTrial({
      trialId: t.id,
      leaseId: t.leaseId,
      now: T0 + 300,
      outcome: { state: 'COMPLETED', value: 1, metrics: {} },
    });
    expect(await store.getStudy(study.id)).toMatchObject({
      state: 'COMPLETED',
      stopReason: 'max_duration reached',
    });
  });

  it.skipIf(skip)('never leases one trial twice under concurrent callers', async () => {
    const { study } = await store.createStudy(newStudy({ maxTrials: 40 }));
    // 40 concurrent creators asking for 3 each: exactly 40 trials, numbers 0..39.
    const created = (
      await Promise.all(Array.from({ length: 40 }, (_, i) => leaseNew(study.id, 3, `w${i}`)))
    ).flat();
    expect(created).toHaveLength(40);
    expect(new Set(created.map((t) => t.number)).size).toBe(40);
    await store.requeueExpired(T0 + 5000);
    const leased = (
      await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          store.leaseQueued({
            studyId: study.id,
            workerId: `v${i}`,
            count: 4,
            now: T0 + 6000,
            leaseIds: ids(4),
          }),
        ),
      )
    ).flat();
    expect(leased).toHaveLength(40);
    expect(new Set(leased.map((t) => t.id)).size).toBe(40);
    expect((await store.getStudy(study.id))!.counts).toMatchObject({ running: 40, queued: 0 });
  });
});

describe('SQLite durability', () => {
  it('reopens a file with everything it acknowledged', async () => {
    const url = `durable-${randomUUID()}.sqlite`;
    const a = await openStore({ dataDir: dir, url });
    const { study } = await a.createStudy(newStudy());
    const [t] = await a.createLeasedTrials({
      studyId: study.id,
      workerId: 'w',
      count: 1,
      make: () => trials(1)[0],
      leaseIds: ['L'],
      now: T0,
    });
    await a.reportIntermediate({
      trialId: t.id,
      leaseId: 'L',
      now: T0 + 1,
      step: 3,
      value: 0.5,
      prune: false,
    });
    await a.close();
    const b = await openStore({ dataDir: dir, url });
    expect((await b.getTrial(t.id))!).toMatchObject({ state: 'RUNNING', leaseId: 'L', step: 3 });
    expect(await b.intermediateValues(t.id)).toHaveLength(1);
    expect((await b.events(study.id, 0)).length).toBe(3);
    expect(b.location).toMatch(/^sqlite:.*durable-/);
    await b.close();
  });
});
