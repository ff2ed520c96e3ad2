import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { training, tuner } from '@athanor/contracts';
import { AthanorError, compileConfig } from '@athanor/service-kit';
import { openStore, type StudyStore } from '@athanor/store';
import { status } from '@grpc/grpc-js';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configSchema } from '../config';
import { NO_SCALING } from '../search/scaling-policy';
import { TunerRpc } from '../tuner-service';
import { bytesAt, memoryCostOf } from './memory-cost';

// SuggestTrials with memory_budget_bytes, through the RPC logic over a real (SQLite) store.

const dir = mkdtempSync(join(tmpdir(), 'athanor-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const baseConfig = {
  model: { spec: { name: 'wide', mlp: { widths: [512, 512] } } },
  dataset: { name: 'mnist' },
  optimizer: { sgd: { momentum: 0.9 }, lr: 0.1 },
  batchSize: 64,
  epochs: 1,
};
const cost = memoryCostOf(training.TrainConfig.fromJSON(baseConfig), NO_SCALING)!;
/** A worker whose budget fits batch sizes up to `batch` (and not twice it). */
const budgetFor = (batch: number) => Math.floor(bytesAt(cost, batch) + cost.perSampleBytes / 2);

const batchOf = (a: tuner.TrialAssignment) => a.config!.batchSize;

describe('SuggestTrials with a worker memory budget', () => {
  let store: StudyStore;
  let rpc: TunerRpc;
  let clock = 1_700_000_000_000;

  beforeEach(async () => {
    store = await openStore({ dataDir: dir, url: `${randomUUID()}.sqlite` });
    rpc = new TunerRpc(store, compileConfig(configSchema, {}), () => clock);
  });
  afterEach(() => store.close());

  const create = async (over: Record<string, unknown> = {}) =>
    (
      await rpc.createStudy({
        requestId: '',
        spec: tuner.StudySpec.fromJSON({
          name: 'budgeted',
          objective: { metric: 'val_loss' },
          baseConfig,
          scaling: { rule: 'SCALING_RULE_LINEAR', referenceBatchSize: 64, baseLr: 0.1 },
          searchSpace: { parameters: [{ name: 'batch_size', discrete: { values: [16, 32, 64, 128, 256] } }] },
          algorithm: { random: {}, seed: 5 },
          budget: { maxParallelTrials: 100 },
          lease: { leaseDuration: { seconds: 10 } },
          ...over,
        }),
      })
    ).study!;

  const suggest = (studyId: string, workerId: string, memoryBudgetBytes: number, count = 1) =>
    rpc.suggestTrials(
      tuner.SuggestTrialsRequest.fromPartial({ studyId, workerId, count, memoryBudgetBytes }),
    );

  const complete = (a: tuner.TrialAssignment) =>
    rpc.completeTrial(
      tuner.CompleteTrialRequest.fromPartial({
        trialId: a.trial!.id,
        leaseId: a.leaseId,
        outcome: { $case: 'completed', value: { objectiveValue: 1, metrics: {} } },
      }),
    );

  it("caps new random trials' batch sizes to what fits the worker; a worker without a budget gets the sampler's", async () => {
    const study = await create();
    const small = (await suggest(study.id, 'small', budgetFor(32), 20)).assignments;
    expect(small).toHaveLength(20);
    expect(small.every((a) => batchOf(a) <= 32)).toBe(true);
    expect(new Set(small.map(batchOf))).toEqual(new Set([16, 32]));
    // The recorded parameter is the batch size trained, with the lr the scaling rule gives it.
    const a = small.find((x) => batchOf(x) === 32)!;
    expect(a.trial!.parameters.batch_size.value).toEqual({ $case: 'doubleValue', value: 32 });
    expect(a.config!.optimizer!.lr).toBeCloseTo(0.05);
    const free = (await suggest(study.id, 'free', 0, 20)).assignments;
    expect(free.some((x) => batchOf(x) > 32)).toBe(true);
  });

  it('leaves a re-queued trial too big for a worker in the queue for one it fits', async () => {
    const study = await create({
      algorithm: { grid: {}, seed: 5 },
      lease: { leaseDuration: { seconds: 10 }, maxAttempts: 5 },
    });
    const big = (await suggest(study.id, 'big', 0, 5)).assignments;
    const large = big.find((a) => batchOf(a) === 256)!;
    for (const a of big) if (a !== large) await complete(a);
    clock += 11_000;
    expect(await rpc.reap()).toBe(1);
    const small = await suggest(study.id, 'small', budgetFor(64));
    expect(small.assignments).toEqual([]);
    expect(small.studyFinished).toBe(false);
    const again = await suggest(study.id, 'big2', budgetFor(256));
    expect(again.assignments.map((a) => a.trial!.id)).toEqual([large.trial!.id]);
    expect(again.assignments[0].trial!.attempts).toBe(2);
  });

  it('queues a grid point that does not fit for a bigger worker and hands the worker the next one', async () => {
    const study = await create({ algorithm: { grid: {}, seed: 5 } });
    const small = (await suggest(study.id, 'small', budgetFor(64), 5)).assignments;
    // The grid is shuffled: whatever its order, the small worker gets the three points that fit.
    expect(small.map(batchOf).sort((x, y) => x - y)).toEqual([16, 32, 64]);
    const counts = (await store.getStudy(study.id))!.counts;
    expect(counts).toMatchObject({ running: 3, queued: 2 });
    const queued = await store.listTrials(study.id, ['QUEUED']);
    expect(queued.map((t) => t.memoryBytes)).toEqual(
      queued.map((t) => bytesAt(cost, Number(t.params.batch_size))),
    );
    const events = await store.events(study.id, 0);
    expect(
      events.some(
        (e) =>
          e.event.kind === 'trial' &&
          /created and queued: it needs about .* to train at batch size (128|256) .* \(worker small\); left for a worker with more memory/.test(
            e.event.reason,
          ),
      ),
    ).toBe(true);
    const big = (await suggest(study.id, 'big', budgetFor(256), 5)).assignments;
    expect(big.map(batchOf).sort((x, y) => x - y)).toEqual([128, 256]);
    for (const a of [...small, ...big]) await complete(a);
    expect((await store.getStudy(study.id))!.state).toBe('COMPLETED');
  });

  it('answers FAILED_PRECONDITION with the numbers when nothing in the study can ever fit', async () => {
    const study = await create();
    const tiny = bytesAt(cost, 16) - 1;
    const refused = await suggest(study.id, 'tiny', tiny).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AthanorError);
    expect((refused as AthanorError).code).toBe(status.FAILED_PRECONDITION);
    expect((refused as AthanorError).message).toMatch(
      /no trial of study "budgeted" fits memory_budget_bytes \d+ .*smallest batch size, 16/,
    );
    // Asked of any study: the same answer when no running study can ever fit.
    await expect(suggest('', 'tiny', tiny)).rejects.toThrow(
      /no running study has a trial that fits this worker/,
    );
    // A worker it fits is served as usual.
    expect((await suggest(study.id, 'ok', budgetFor(16))).assignments.map(batchOf)).toEqual([16]);
  });

  it('refuses a negative budget, naming the field', async () => {
    const study = await create();
    await expect(suggest(study.id, 'w', -1)).rejects.toThrow(/memory_budget_bytes: must be >= 0/);
  });

  it('leases any trial whose memory it cannot tell (a model from an artifact)', async () => {
    const study = await create({
      baseConfig: { ...baseConfig, model: { artifactUri: 'file:///models/m.json' } },
    });
    const got = (await suggest(study.id, 'w', 1, 3)).assignments;
    expect(got).toHaveLength(3);
    const trials = await store.listTrials(study.id);
    expect(trials.every((t) => t.memoryBytes === null)).toBe(true);
  });

  it('gives no trace_parent and stores none while tracing is off', async () => {
    const study = await create();
    const [a] = (await suggest(study.id, 'w', 0)).assignments;
    expect(a.traceParent).toBe('');
    expect((await store.getTrial(a.trial!.id))!.traceParent).toBeNull();
  });
});
