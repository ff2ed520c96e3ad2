import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { trainer, training } from '@athanor/contracts';
import { compileConfig, fieldViolations, type RunningService } from '@athanor/service-kit';
import * as trainerService from '@athanor/trainer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unary } from './support/clients';
import { tinyConfig } from './support/tiny-config';

const { RunState } = trainer;

/** All events of a run (replayed from the start) until its terminal event. */
function watch(
  client: trainer.TrainerServiceClient,
  request: Partial<trainer.WatchRunRequest>,
): Promise<trainer.RunEvent[]> {
  return new Promise((resolve, reject) => {
    const events: trainer.RunEvent[] = [];
    const call = client.watchRun(trainer.WatchRunRequest.fromPartial(request));
    call.on('data', (r: trainer.WatchRunResponse) => events.push(r.event!));
    call.on('end', () => resolve(events));
    call.on('error', reject);
  });
}

/** Resolves with the first event matching `predicate` (a live watcher). */
function waitForEvent(
  client: trainer.TrainerServiceClient,
  runId: string,
  predicate: (e: trainer.RunEvent) => boolean,
): Promise<trainer.RunEvent> {
  return new Promise((resolve, reject) => {
    const call = client.watchRun(trainer.WatchRunRequest.fromPartial({ runId, replay: true }));
    call.on('data', (r: trainer.WatchRunResponse) => {
      if (predicate(r.event!)) {
        resolve(r.event!);
        call.cancel();
      }
    });
    call.on('error', (e: grpc.ServiceError) => (e.code === grpc.status.CANCELLED ? undefined : reject(e)));
    call.on('end', () => reject(new Error('stream ended before the event')));
  });
}

describe('trainer service', () => {
  let service: RunningService;
  let client: trainer.TrainerServiceClient;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'athanor-trainer-'));
    const config = compileConfig(trainerService.configSchema, {
      ATHANOR_GRPC_PORT: '0',
      ATHANOR_HTTP_PORT: '0',
      ATHANOR_LOG_LEVEL: 'silent',
      ATHANOR_MAX_CONCURRENT_RUNS: '1',
      ATHANOR_CHECKPOINT_DIR: join(dir, 'checkpoints'),
      ATHANOR_DATA_DIR: join(dir, 'data'),
    });
    service = await trainerService.startTrainer(config);
    client = new trainer.TrainerServiceClient(service.address, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    await service?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts a run at once, trains it and streams its events from the beginning to a late watcher', async () => {
    const started = await unary(
      client.startRun.bind(client),
      trainer.StartRunRequest.fromPartial({ config: tinyConfig() }),
    );
    expect(started.runId).toMatch(/^run-/);
    expect([RunState.RUN_STATE_QUEUED, RunState.RUN_STATE_RUNNING]).toContain(started.state);
    const events = await watch(client, { runId: started.runId, replay: true });
    expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1));
    expect(events[0].event?.$case).toBe('started');
    expect(events.at(-1)?.event?.$case).toBe('finished');
    expect(events.filter((e) => e.event?.$case === 'step')).toHaveLength(16);
    // A watcher that saw up to sequence 5 resumes after it.
    const rest = await watch(client, { runId: started.runId, afterSequence: 5 });
    expect(rest[0].sequence).toBe(6);
    expect(rest).toHaveLength(events.length - 5);
    const noSteps = await watch(client, { runId: started.runId, replay: true, excludeSteps: true });
    expect(noSteps.some((e) => e.event?.$case === 'step')).toBe(false);

    const { run } = await unary(client.getRun.bind(client), { runId: started.runId });
    expect(run!.state).toBe(RunState.RUN_STATE_COMPLETED);
    expect(run!.step).toBe(16);
    expect(run!.epoch).toBe(2);
    expect(run!.seed).toBe(7);
    expect(run!.lastCheckpoint?.uri).toMatch(/^file:\/\//);
    expect(run!.lastValidation?.top1).toBeGreaterThan(0.5);
    expect(run!.backend).not.toBe('');
  });

  it('answers INVALID_ARGUMENT naming every bad field', async () => {
    const bad = tinyConfig({
      optimizer: { sgd: { momentum: 1.5 } },
      batchSize: 0,
      scheduler: { step: { gamma: 0.1 } },
    });
    const err = await unary(
      client.startRun.bind(client),
      trainer.StartRunRequest.fromPartial({ config: bad }),
    ).catch((e: grpc.ServiceError) => e);
    expect((err as grpc.ServiceError).code).toBe(grpc.status.INVALID_ARGUMENT);
    const fields = fieldViolations(err as grpc.ServiceError).map((v) => v.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'config.batch_size',
        'config.optimizer.lr',
        'config.optimizer.sgd.momentum',
        'config.scheduler.step.stepSize',
      ]),
    );
  });

  it('queues beyond the concurrency limit, cancels queued and running runs and keeps the last checkpoint', async () => {
    const long = tinyConfig({ epochs: 1000, checkpoint: { everyNSteps: 5 } });
    const a = await unary(
      client.startRun.bind(client),
      trainer.StartRunRequest.fromPartial({ config: long }),
    );
    const b = await unary(
      client.startRun.bind(client),
      trainer.StartRunRequest.fromPartial({ config: long }),
    );
    expect(b.state).toBe(RunState.RUN_STATE_QUEUED);
    expect(b.queuePosition).toBe(1);
    const cancelledQueued = await unary(client.cancelRun.bind(client), {
      runId: b.runId,
      reason: 'not needed',
    });
    expect(cancelledQueued.run!.state).toBe(RunState.RUN_STATE_CANCELLED);

    await waitForEvent(client, a.runId, (e) => e.event?.$case === 'checkpoint');
    await unary(client.cancelRun.bind(client), { runId: a.runId, reason: 'enough' });
    const events = await watch(client, { runId: a.runId, replay: true, excludeSteps: true });
    const last = events.at(-1)!.event!;
    expect(last.$case).toBe('cancelled');
    if (last.$case !== 'cancelled') return;
    expect(last.value.reason).toBe('enough');
    expect(last.value.lastCheckpoint?.step).toBe(last.value.step);

    const list = await unary(
      client.listRuns.bind(client),
      trainer.ListRunsRequest.fromPartial({ states: [RunState.RUN_STATE_CANCELLED], pageSize: 1 }),
    );
    expect(list.runs).toHaveLength(1);
    expect(list.runs[0].id).toBe(b.runId); // newest first
    const page2 = await unary(
      client.listRuns.bind(client),
      trainer.ListRunsRequest.fromPartial({
        states: [RunState.RUN_STATE_CANCELLED],
        pageSize: 1,
        pageToken: list.nextPageToken,
        omitConfig: true,
      }),
    );
    expect(page2.runs.map((r) => r.id)).toEqual([a.runId]);
    expect(page2.runs[0].config).toBeUndefined();
    expect(page2.nextPageToken).toBe('');

    // Resuming from the kept checkpoint continues at its step.
    const resumed = await unary(
      client.startRun.bind(client),
      trainer.StartRunRequest.fromPartial({
        config: tinyConfig({ maxSteps: last.value.step + 3, epochs: undefined }),
        resumeFrom: last.value.lastCheckpoint,
      }),
    );
    const resumedEvents = await watch(client, { runId: resumed.runId, replay: true });
    const firstStep = resumedEvents.find((e) => e.event?.$case === 'step')!;
    expect(firstStep.event?.$case === 'step' && firstStep.event.value.step).toBe(last.value.step + 1);
    expect(resumedEvents.at(-1)?.event?.$case).toBe('finished');
  });

  it('keeps checkpoints inside the checkpoint directory', async () => {
    for (const request of [
      { config: tinyConfig(), resumeFrom: { uri: 'file:///etc/passwd' } },
      { config: tinyConfig(), resumeFrom: { uri: '../outside.ckpt' } },
      { config: tinyConfig({ checkpoint: { directory: '../../elsewhere' } }) },
    ]) {
      const err = await unary(
        client.startRun.bind(client),
        trainer.StartRunRequest.fromPartial(request),
      ).catch((e: grpc.ServiceError) => e);
      expect((err as grpc.ServiceError).code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(fieldViolations(err as grpc.ServiceError)[0].field).toMatch(
        /^(resume_from\.uri|config\.checkpoint\.directory)$/,
      );
    }
  });

  it('answers NOT_FOUND for an unknown run', async () => {
    const err = await unary(client.getRun.bind(client), { runId: 'run-nope' }).catch(
      (e: grpc.ServiceError) => e,
    );
    expect((err as grpc.ServiceError).code).toBe(grpc.status.NOT_FOUND);
  });

  it('previews a schedule with the numbers of `athanor schedule`, warm-up and groups included', async () => {
    const def = await unary(
      client.previewSchedule.bind(client),
      trainer.PreviewScheduleRequest.fromPartial({
        source: {
          $case: 'schedule',
          value: {
            baseLr: 0.1,
            scheduler: training.SchedulerSpec.fromJSON({ step: { stepSize: 2, gamma: 0.5 } }),
          },
        },
        steps: 5,
      }),
    );
    expect(def.groups[0].lrs).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);

    const cfg = await unary(
      client.previewSchedule.bind(client),
      trainer.PreviewScheduleRequest.fromPartial({
        source: {
          $case: 'config',
          value: tinyConfig({
            optimizer: {
              sgd: {},
              lr: 0.1,
              parameterGroups: [{ name: 'head', layerPatterns: ['logits'], lrMultiplier: 10 }],
            },
            warmup: { steps: 2, startFactor: 0.5 },
            scheduler: { cosineAnnealing: { tMax: 14 } },
          }),
        },
      }),
    );
    expect(cfg.steps).toBe(16);
    expect(cfg.stepsPerEpoch).toBe(8);
    expect(cfg.groups.map((g) => g.group)).toEqual(['head', 'default']);
    [0.05, 0.075, 0.1].forEach((lr, i) => expect(cfg.groups[1].lrs[i]).toBeCloseTo(lr, 12));
    expect(cfg.groups[0].lrs[2]).toBeCloseTo(1, 12);
  });

  it('runs the LR range test and restores nothing it should not', async () => {
    const res = await unary(
      client.findLearningRate.bind(client),
      trainer.FindLearningRateRequest.fromPartial({
        config: tinyConfig(),
        minLr: 1e-5,
        maxLr: 100,
        numIterations: 60,
      }),
    );
    expect(res.points.length).toBeGreaterThan(10);
    expect(res.points[0].lr).toBeCloseTo(1e-5, 12);
    expect(res.diverged).toBe(true);
    expect(res.suggestions?.recommended).toBeGreaterThan(1e-5);
    expect(res.suggestions?.recommended).toBeLessThan(10);
  });

  it('reports its compute backend', async () => {
    const { info } = await unary(client.getServiceInfo.bind(client), {});
    expect(info!.computeBackend).not.toBe('');
  });
});
