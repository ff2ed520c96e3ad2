import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './database';
import { migrate } from './migrations';
import { openStore } from './open-store';
import { PostgresDatabase } from './postgres-database';
import type { TrialRecord } from './records';
import { SqliteDatabase } from './sqlite-database';
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

  /** Ends a trial's current lease as completed with `value`. */
  const complete = (t: TrialRecord, now: number, value = 1) =>
    store.finishTrial({
      trialId: t.id,
      leaseId: t.leaseId,
      now,
      outcome: { state: 'COMPLETED', value, metrics: {} },
    });

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
    'renews running leases when a tuner starts: a lease that lapsed while no tuner ran holds again',
    async () => {
      const { study } = await store.createStudy(newStudy({}));
      const [t] = await leaseNew(study.id, 1); // lease of 1000 ms from T0
      // A tuner starting at T0 + 5000 (none ran since T0 + 100): a full lease from then.
      expect(await store.renewRunningLeases(T0 + 5000)).toBeGreaterThanOrEqual(1);
      expect((await store.requeueExpired(T0 + 5999)).filter((x) => x.id === t.id)).toEqual([]);
      const beat = await store.heartbeat({ trialId: t.id, leaseId: t.leaseId, now: T0 + 5500 });
      expect(beat.leaseExpiresAt).toBe(T0 + 6500);
      // Then the lease runs out as any other.
      expect((await store.requeueExpired(T0 + 6501)).filter((x) => x.id === t.id)).toMatchObject([
        { state: 'QUEUED' },
      ]);
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

  it.skipIf(skip)(
    'leases a queued trial only to a worker it fits; unknown estimates fit any worker',
    async () => {
      const { study } = await store.createStudy(newStudy({ maxParallel: 10 }));
      const sizes = [4000, null, 1000];
      const made = sizes.map((memoryBytes, i) => ({
        id: randomUUID(),
        params: { x: i },
        scaling: null,
        memoryBytes,
      }));
      const created = await store.createLeasedTrials({
        studyId: study.id,
        workerId: 'w1',
        count: 3,
        make: (k) => made[k],
        leaseIds: ids(3),
        now: T0,
      });
      expect(created.map((t) => t.memoryBytes)).toEqual([4000, null, 1000]);
      await store.requeueExpired(T0 + 1001);
      const small = await store.leaseQueued({
        studyId: study.id,
        workerId: 'small',
        count: 3,
        now: T0 + 1100,
        leaseIds: ids(3),
        maxMemoryBytes: 2000,
      });
      expect(small.map((t) => t.number)).toEqual([1, 2]);
      // With an empty study id, too: the big trial stays queued for a bigger worker.
      const any = await store.leaseQueued({
        studyId: '',
        workerId: 'small',
        count: 3,
        now: T0 + 1100,
        leaseIds: ids(3),
        maxMemoryBytes: 2000,
      });
      expect(any.filter((t) => t.studyId === study.id)).toEqual([]);
      expect((await store.getStudy(study.id))!.counts).toMatchObject({ queued: 1, running: 2 });
      const big = await store.leaseQueued({
        studyId: study.id,
        workerId: 'big',
        count: 3,
        now: T0 + 1200,
        leaseIds: ids(3),
        maxMemoryBytes: 4000,
      });
      expect(big.map((t) => t.number)).toEqual([0]);
    },
  );

  it.skipIf(skip)(
    'creates the trials make() queues for another worker, numbered in turn, within budget',
    async () => {
      const { study } = await store.createStudy(newStudy({ maxParallel: 1, maxTrials: 4 }));
      const make = (k: number) => ({
        id: randomUUID(),
        params: { x: k },
        scaling: null,
        memoryBytes: k < 2 ? 5000 : 100,
        ...(k < 2 ? { queueReason: 'too big for w1' } : {}),
      });
      const leased = await store.createLeasedTrials({
        studyId: study.id,
        workerId: 'w1',
        count: 2,
        make,
        leaseIds: ids(2),
        now: T0,
      });
      // Two made for another worker (at most `count` per call), then one leased (max parallel 1).
      expect(leased.map((t) => [t.number, t.state])).toEqual([[2, 'RUNNING']]);
      const all = await store.listTrials(study.id);
      expect(all.map((t) => [t.number, t.state, t.attempts, t.workerId])).toEqual([
        [0, 'QUEUED', 0, ''],
        [1, 'QUEUED', 0, ''],
        [2, 'RUNNING', 1, 'w1'],
      ]);
      expect((await store.getStudy(study.id))!.counts).toMatchObject({ queued: 2, running: 1 });
      const events = await store.events(study.id, 0);
      expect(events.filter((e) => e.event.kind === 'trial').map((e) => e.event)).toMatchObject([
        { previousState: null, reason: 'created and queued: too big for w1' },
        { previousState: null, reason: 'created and queued: too big for w1' },
        { previousState: null, reason: 'created and leased to worker w1' },
      ]);
      await complete(leased[0], T0 + 1);
      // One trial of the budget is left: number 3.
      const last = await store.createLeasedTrials({
        studyId: study.id,
        workerId: 'w1',
        count: 2,
        make,
        leaseIds: ids(2),
        now: T0 + 2,
      });
      expect(last.map((t) => t.number)).toEqual([3]);
      expect(
        await store.createLeasedTrials({
          studyId: study.id,
          workerId: 'w1',
          count: 2,
          make,
          leaseIds: ids(2),
          now: T0 + 2,
        }),
      ).toEqual([]);
      await complete(last[0], T0 + 3);
      const [first] = await store.leaseQueued({
        studyId: study.id,
        workerId: 'big',
        count: 1,
        now: T0 + 3,
        leaseIds: ['L'],
      });
      expect(first).toMatchObject({ number: 0, attempts: 1, workerId: 'big', startedAt: T0 + 3 });
    },
  );

  it.skipIf(skip)(
    "stores a trial's trace context at its first lease and keeps it for every re-lease",
    async () => {
      const { study } = await store.createStudy(newStudy());
      const asked: number[] = [];
      const traceOf = (t: { id: string; studyId: string; number: number }) => {
        expect(t.studyId).toBe(study.id);
        asked.push(t.number);
        return `00-${'ab'.repeat(16)}-${String(t.number).padStart(16, '0')}-01`;
      };
      const made = trials(2);
      const created = await store.createLeasedTrials({
        studyId: study.id,
        workerId: 'w',
        count: 1,
        make: (k) => made[k],
        leaseIds: ids(1),
        now: T0,
        traceOf,
      });
      expect(created[0].traceParent).toBe(`00-${'ab'.repeat(16)}-0000000000000000-01`);
      // Created without tracing: no trace until a lease that traces.
      const [untraced] = await store.createLeasedTrials({
        studyId: study.id,
        workerId: 'w',
        count: 1,
        make: (k) => made[k],
        leaseIds: ids(1),
        now: T0,
      });
      expect(untraced.traceParent).toBeNull();
      await store.requeueExpired(T0 + 1001);
      const again = await store.leaseQueued({
        studyId: study.id,
        workerId: 'w2',
        count: 2,
        now: T0 + 1100,
        leaseIds: ids(2),
        traceOf,
      });
      expect(asked).toEqual([0, 1]);
      expect(again.map((t) => t.traceParent)).toEqual([
        created[0].traceParent,
        `00-${'ab'.repeat(16)}-0000000000000001-01`,
      ]);
      expect((await store.getTrial(created[0].id))!.traceParent).toBe(created[0].traceParent);
    },
  );

  it.skipIf(skip)("tells subscribers each commit's events with the study's direction", async () => {
    const heard: { id: string; direction: string; kinds: string[]; sequences: number[] }[] = [];
    const off = store.subscribe((id, c) =>
      heard.push({
        id,
        direction: c.direction,
        kinds: c.events.map((e) => e.event.kind),
        sequences: c.events.map((e) => e.sequence),
      }),
    );
    const { study } = await store.createStudy(newStudy({ direction: 'MAXIMIZE' }));
    const [t] = await leaseNew(study.id, 1);
    await complete(t, T0 + 2, 4);
    off();
    expect(heard.filter((h) => h.id === study.id)).toEqual([
      { id: study.id, direction: 'MAXIMIZE', kinds: ['study'], sequences: [1] },
      { id: study.id, direction: 'MAXIMIZE', kinds: ['trial'], sequences: [2] },
      { id: study.id, direction: 'MAXIMIZE', kinds: ['trial', 'new_best'], sequences: [3, 4] },
    ]);
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

describe.each(backends)('schema upgrade: $name', ({ name, skip }) => {
  it.skipIf(skip)(
    'brings a version-1 database to the newest schema; old trials keep their rows',
    async () => {
      let url: string;
      let db: Database;
      if (name === 'sqlite') {
        url = join(dir, `v1-${randomUUID()}.sqlite`);
        db = new SqliteDatabase(url);
      } else {
        // A schema of its own: the shared test database is already at the newest version.
        const schema = `upgrade_${randomUUID().replace(/-/g, '')}`;
        const admin = new PostgresDatabase(pgUrl!);
        await admin.transaction((sql) => sql.run(`CREATE SCHEMA ${schema}`));
        await admin.close();
        const u = new URL(pgUrl!);
        u.searchParams.set('options', `-c search_path=${schema}`);
        url = u.toString();
        db = new PostgresDatabase(url);
      }
      await migrate(db, 1);
      await db.transaction(async (sql) => {
        await sql.run(
          `INSERT INTO studies (id, name, spec, state, direction, max_trials, max_parallel, max_attempts,
           lease_ms, created_at, updated_at, n_queued)
         VALUES ('s1', 'old', '{}', 'RUNNING', 'MINIMIZE', 0, 1, 3, 1000, ?, ?, 1)`,
          [T0, T0],
        );
        await sql.run(
          `INSERT INTO trials (id, study_id, number, state, params, created_at)
         VALUES ('t1', 's1', 0, 'QUEUED', '{"x":1}', ?)`,
          [T0],
        );
      });
      await db.close();
      const store = await openStore({ url, dataDir: dir });
      try {
        expect(await store.getTrial('t1')).toMatchObject({
          params: { x: 1 },
          traceParent: null,
          memoryBytes: null,
        });
        // An old trial has no estimate (it fits any worker) and gets its trace at its next lease.
        const [leased] = await store.leaseQueued({
          studyId: 's1',
          workerId: 'w',
          count: 1,
          now: T0,
          leaseIds: ['L'],
          maxMemoryBytes: 1,
          traceOf: () => 'tp',
        });
        expect(leased).toMatchObject({ id: 't1', state: 'RUNNING', traceParent: 'tp', memoryBytes: null });
      } finally {
        await store.close();
      }
    },
  );
});
