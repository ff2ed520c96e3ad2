import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { trainer, tuner } from '@athanor/contracts';
import { compileConfig, type RunningService } from '@athanor/service-kit';
import * as trainerService from '@athanor/trainer';
import * as tunerService from '@athanor/tuner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unary } from './support/clients';
import { watchUntil } from './support/tuner-worker';

const ephemeral = { ATHANOR_GRPC_PORT: '0', ATHANOR_HTTP_PORT: '0', ATHANOR_LOG_LEVEL: 'silent' };

describe('a trainer in worker mode runs a real tuner study', () => {
  let dir: string;
  let tunerServer: RunningService;
  let trainerServer: RunningService | undefined;
  let tunerClient: tuner.TunerServiceClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'athanor-trainer-tuner-'));
    tunerServer = await tunerService.startTuner(
      compileConfig(tunerService.configSchema, { ...ephemeral, ATHANOR_DATA_DIR: join(dir, 'tuner') }),
    );
    tunerClient = new tuner.TunerServiceClient(tunerServer.address, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    tunerClient?.close();
    await trainerServer?.stop();
    await tunerServer?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pulls, trains, reports and completes every trial of the study', async () => {
    const { study } = await unary(tunerClient.createStudy.bind(tunerClient), {
      spec: tuner.StudySpec.fromJSON({
        name: 'worker-e2e',
        objective: { metric: 'val_loss', direction: 'OBJECTIVE_DIRECTION_MINIMIZE' },
        baseConfig: {
          model: { spec: { name: 'tiny', mlp: { widths: [16] } } },
          dataset: {
            synthetic: {
              exampleShape: [4, 4, 1],
              numClasses: 4,
              trainExamples: 128,
              validationExamples: 32,
              seed: 1,
            },
          },
          optimizer: { sgd: { momentum: 0.9 }, lr: 0.05 },
          batchSize: 32,
          epochs: 2,
          seed: 3,
        },
        searchSpace: {
          parameters: [{ name: 'optimizer.lr', doubleRange: { low: 0.001, high: 0.3, log: true } }],
        },
        algorithm: { random: {}, seed: 1 },
        budget: { maxTrials: 3, maxParallelTrials: 2 },
      }),
      requestId: '',
    });
    const finished = watchUntil(
      tunerClient,
      study!.id,
      (e) =>
        e.event?.$case === 'studyUpdated' && e.event.value.state === tuner.StudyState.STUDY_STATE_COMPLETED,
    );
    trainerServer = await trainerService.startTrainer(
      compileConfig(trainerService.configSchema, {
        ...ephemeral,
        ATHANOR_MAX_CONCURRENT_RUNS: '2',
        ATHANOR_CHECKPOINT_DIR: join(dir, 'checkpoints'),
        ATHANOR_DATA_DIR: join(dir, 'data'),
        ATHANOR_TUNER_ADDR: tunerServer.address,
        ATHANOR_WORKER_STUDY: study!.id,
        ATHANOR_WORKER_ID: 'trainer-1',
      }),
    );
    const events = await finished;
    const completed = events.flatMap((e) =>
      e.event?.$case === 'trialUpdated' &&
      e.event.value.trial?.state === tuner.TrialState.TRIAL_STATE_COMPLETED
        ? [e.event.value.trial]
        : [],
    );
    expect(completed).toHaveLength(3);
    const reported = new Map<string, number[]>();
    for (const e of events)
      if (e.event?.$case === 'intermediateReported') {
        const steps = reported.get(e.event.value.trialId) ?? [];
        steps.push(e.event.value.value!.step);
        reported.set(e.event.value.trialId, steps);
      }
    for (const t of completed) {
      expect(t.objectiveValue).toBeGreaterThan(0);
      expect(reported.get(t.id)).toEqual([1, 2]); // a validation per epoch, reported by epoch
    }
    const client = new trainer.TrainerServiceClient(trainerServer.address, grpc.credentials.createInsecure());
    const runs = await unary(
      client.listRuns.bind(client),
      trainer.ListRunsRequest.fromPartial({ studyId: study!.id }),
    );
    client.close();
    expect(runs.runs).toHaveLength(3);
    expect(runs.runs.every((r) => r.state === trainer.RunState.RUN_STATE_COMPLETED)).toBe(true);
  });
});
