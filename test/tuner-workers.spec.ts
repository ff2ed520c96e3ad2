import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { tuner } from '@athanor/contracts';
import { compileConfig, fieldViolations, type RunningService } from '@athanor/service-kit';
import * as tunerService from '@athanor/tuner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unary } from './support/clients';
import { TestWorker, watchUntil } from './support/tuner-worker';

const dir = mkdtempSync(join(tmpdir(), 'athanor-tuner-'));
const baseConfig = {
  dataset: { builtin: 'mnist' },
  optimizer: { sgd: { momentum: 0.9 }, lr: 0.1 },
  batchSize: 64,
  epochs: 4,
};

let service: RunningService;
let client: tuner.TunerServiceClient;

beforeAll(async () => {
  service = await tunerService.startTuner(
    compileConfig(tunerService.configSchema, {
      ATHANOR_GRPC_PORT: '0',
      ATHANOR_HTTP_PORT: '0',
      ATHANOR_LOG_LEVEL: 'silent',
      ATHANOR_DATA_DIR: dir,
      ATHANOR_REAP_INTERVAL_SECONDS: '0.05',
    }),
  );
  client = new tuner.TunerServiceClient(service.address, grpc.credentials.createInsecure());
});

afterAll(async () => {
  client?.close();
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function create(spec: object): Promise<tuner.Study> {
  const res = await unary(client.createStudy.bind(client), {
    spec: tuner.StudySpec.fromJSON(spec),
    requestId: '',
  });
  return res.study!;
}

// A learning curve whose end depends on the parameters: small batch with momentum near 0.9 is best.
const curve = (params: Record<string, tuner.ParameterValue>, step: number) => {
  const v = (n: string) => Number(params[n]?.value?.value ?? 0);
  return (
    Math.abs(Math.log2(v('batch_size')) - 6) * 0.3 + Math.abs(v('optimizer.sgd.momentum') - 0.9) + 1 / step
  );
};

describe('tuner with concurrent workers', () => {
  it('runs an ASHA study with the scaling policy to completion; no trial is handed out twice', async () => {
    const study = await create({
      name: 'asha-scaling',
      objective: { metric: 'val_loss' },
      baseConfig,
      scaling: { rule: 'SCALING_RULE_LINEAR', referenceBatchSize: 64, baseLr: 0.1, warmupEpochs: 2 },
      searchSpace: {
        parameters: [
          { name: 'batch_size', discrete: { values: [32, 64, 128, 256] } },
          { name: 'optimizer.sgd.momentum', doubleRange: { low: 0.5, high: 0.99 } },
        ],
      },
      algorithm: { tpe: { nStartupTrials: 4 }, seed: 7 },
      pruner: { asha: { minResource: 1, reductionFactor: 2 } },
      budget: { maxTrials: 16, maxParallelTrials: 4 },
    });
    const workers = [0, 1, 2].map((i) => new TestWorker(service.address, `w${i}`));
    const pruned: string[] = [];
    const work = async (w: TestWorker) => {
      for (;;) {
        const res = await w.suggest(study.id, 2);
        if (res.studyFinished) return;
        await Promise.all(
          res.assignments.map(async (a) => {
            const batch = a.config!.batchSize;
            expect(a.config!.optimizer!.lr).toBeCloseTo((0.1 * batch) / 64, 12);
            expect(a.trial!.scaling).toMatchObject({ batchSize: batch });
            if (batch > 64) {
              expect(a.config!.warmup).toMatchObject({ startFactor: 64 / batch });
              // The trial says what warm-up it got, for reports.
              expect(a.trial!.scaling).toMatchObject({ warmupEpochs: 2, warmupStartFactor: 64 / batch });
            }
            for (let step = 1; step <= 4; step++) {
              const r = await w.report(a, step, curve(a.trial!.parameters, step));
              if (r.shouldPrune) {
                pruned.push(a.trial!.id);
                await w.complete(a, { $case: 'pruned', value: { step } });
                return;
              }
            }
            await w.complete(a, {
              $case: 'completed',
              value: { objectiveValue: curve(a.trial!.parameters, 4), metrics: {} },
            });
          }),
        );
        // Nothing to hand out while the other workers hold the last trials: ask again when they end.
        if (res.assignments.length === 0) await new Promise((r) => setImmediate(r));
      }
    };
    await Promise.all(workers.map(work));
    const handed = workers.flatMap((w) => w.handed);
    expect(handed).toHaveLength(16);
    expect(new Set(handed).size).toBe(16);
    expect(workers.filter((w) => w.handed.length > 0).length).toBeGreaterThanOrEqual(2);

    const got = await unary(
      client.getStudy.bind(client),
      tuner.GetStudyRequest.fromPartial({ studyId: study.id, leaderboardSize: 5 }),
    );
    expect(got.study!.state).toBe(tuner.StudyState.STUDY_STATE_COMPLETED);
    expect(got.study!.trialCounts).toMatchObject({
      completed: 16 - pruned.length,
      pruned: pruned.length,
      running: 0,
      queued: 0,
    });
    expect(pruned.length).toBeGreaterThan(0);
    expect(got.bestTrial!.id).toBe(got.study!.bestTrialId);
    expect(got.leaderboard.map((t) => t.objectiveValue)).toEqual(
      [...got.leaderboard.map((t) => t.objectiveValue!)].sort((a, b) => a - b),
    );
    expect(got.importances.length).toBe(2);
    expect(got.scalingReport.length).toBeGreaterThan(1);
    for (const r of got.scalingReport) expect(r.scaledLr).toBeCloseTo((0.1 * r.batchSize) / 64, 12);
    workers.forEach((w) => w.close());
  });

  it('re-queues a lapsed lease with its checkpoint; another worker finishes the trial; the old holder is refused', async () => {
    const study = await create({
      objective: { metric: 'val_loss' },
      baseConfig,
      searchSpace: { parameters: [{ name: 'optimizer.lr', doubleRange: { low: 1e-4, high: 1, log: true } }] },
      algorithm: { random: {}, seed: 1 },
      budget: { maxTrials: 1 },
      lease: { leaseDuration: { seconds: 1 }, maxAttempts: 3 },
    });
    const w1 = new TestWorker(service.address, 'crashing');
    const w2 = new TestWorker(service.address, 'healthy');
    const [a] = (await w1.suggest(study.id)).assignments;
    expect(a.resumeFrom).toBeUndefined();
    await w1.heartbeat(a, 10, 'file:///ckpt/10');
    // w1 "crashes": no more heartbeats. The reaper re-queues the trial once the lease lapses.
    await watchUntil(
      client,
      study.id,
      (e) =>
        e.event?.$case === 'trialUpdated' &&
        e.event.value.trial!.state === tuner.TrialState.TRIAL_STATE_QUEUED,
    );
    const [b] = (await w2.suggest(study.id)).assignments;
    expect(b.trial!.id).toBe(a.trial!.id);
    expect(b.trial!.attempts).toBe(2);
    expect(b.resumeFrom).toMatchObject({ uri: 'file:///ckpt/10', step: 10 });
    expect(await w1.heartbeat(a)).toMatchObject({
      shouldStop: true,
      stopReason: tuner.StopReason.STOP_REASON_LEASE_LOST,
    });
    await expect(
      w1.complete(a, { $case: 'completed', value: { objectiveValue: 1, metrics: {} } }),
    ).rejects.toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
    });
    const done = await w2.complete(b, { $case: 'completed', value: { objectiveValue: 0.5, metrics: {} } });
    expect(done.trial!.state).toBe(tuner.TrialState.TRIAL_STATE_COMPLETED);
    // The log tells the story in order, numbered without gaps.
    const events = await watchUntil(client, study.id, () => false);
    expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)!.event?.$case).toBe('studyUpdated');
    w1.close();
    w2.close();
  });
});

describe('tuner errors', () => {
  it('INVALID_ARGUMENT names each bad field', async () => {
    const err = await create({
      objective: { metric: 'val_loss' },
      baseConfig,
      scaling: { rule: 'SCALING_RULE_LINEAR', referenceBatchSize: 64, baseLr: 0.1 },
      searchSpace: {
        parameters: [
          { name: 'optimizer.sgd.momentum', doubleRange: { low: 0.9, high: 0.5 } },
          { name: 'optimizer.adam.weightDecay', doubleRange: { low: 0, high: 0.1, log: true } },
          { name: 'optimizer.nonsense', doubleRange: { low: 0, high: 1 } },
          { name: 'batch_size', discrete: { values: [64, 100] } },
        ],
      },
    }).catch((e: grpc.ServiceError) => e);
    expect(err).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    expect(fieldViolations(err as grpc.ServiceError).map((v) => v.field)).toEqual([
      'spec.searchSpace.parameters[0].doubleRange.high',
      'spec.searchSpace.parameters[1].doubleRange.low',
      'spec.searchSpace.parameters[2].name',
      'spec.searchSpace.parameters[3].discrete.values[1]',
    ]);
  });

  it('NOT_FOUND for unknown studies and trials; FAILED_PRECONDITION for a finished trial', async () => {
    await expect(
      unary(client.getStudy.bind(client), tuner.GetStudyRequest.fromPartial({ studyId: 'nope' })),
    ).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
    });
    const w = new TestWorker(service.address, 'w');
    await expect(w.suggest('nope')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    const ghost = { trial: { id: 'ghost' }, leaseId: 'x' } as tuner.TrialAssignment;
    await expect(
      w.complete(ghost, { $case: 'completed', value: { objectiveValue: 1, metrics: {} } }),
    ).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
    });
    const study = await create({
      objective: { metric: 'val_loss' },
      baseConfig,
      algorithm: { random: {} },
      budget: { maxTrials: 1 },
    });
    const [a] = (await w.suggest(study.id)).assignments;
    await w.complete(a, { $case: 'completed', value: { objectiveValue: 1, metrics: {} } });
    await expect(
      w.complete(a, { $case: 'completed', value: { objectiveValue: 1, metrics: {} } }),
    ).rejects.toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
    });
    expect((await w.suggest(study.id)).studyFinished).toBe(true);
    w.close();
  });

  it('ScaleHyperparameters applies the linear rule with warm-up', async () => {
    const res = await unary(
      client.scaleHyperparameters.bind(client),
      tuner.ScaleHyperparametersRequest.fromPartial({
        baseBatchSize: 256,
        baseLr: 0.1,
        targetBatchSize: 1024,
        rule: tuner.ScalingRule.SCALING_RULE_LINEAR,
        warmup: { $case: 'warmupEpochs', value: 5 },
        stepsPerEpoch: 100,
      }),
    );
    expect(res.scaledLr).toBeCloseTo(0.4, 12);
    expect(res.warmupSteps).toBe(500);
    expect(res.reasoning).toMatch(/Goyal/);
  });
});
