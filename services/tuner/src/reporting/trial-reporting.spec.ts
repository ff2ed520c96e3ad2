import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { tuner } from '@athanor/contracts';
import { compileConfig, type RunningService } from '@athanor/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../config';
import { startTuner } from '../server';
import { FakeMetrics } from '../testing/fake-metrics';

const { TrialState } = tuner;

// The tuner against a scripted metrics service: every trial transition arrives as a TrialUpdate,
// whichever path made it (SuggestTrials, CompleteTrial, the lease reaper, a study that stops).

function call<Req, Res>(
  fn: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown,
  req: Req,
): Promise<Res> {
  return new Promise((resolve, reject) => fn(req, (err, res) => (err ? reject(err) : resolve(res))));
}

describe('trial updates to the metrics service', () => {
  const fake = new FakeMetrics();
  const dir = mkdtempSync(join(tmpdir(), 'athanor-tuner-reporting-'));
  let clock = 1_700_000_000_000;
  let service: RunningService;
  let client: tuner.TunerServiceClient;

  beforeAll(async () => {
    const metricsAddr = await fake.start();
    service = await startTuner(
      compileConfig(configSchema, {
        ATHANOR_GRPC_PORT: '0',
        ATHANOR_HTTP_PORT: '0',
        ATHANOR_LOG_LEVEL: 'silent',
        ATHANOR_DATA_DIR: dir,
        ATHANOR_REAP_INTERVAL_SECONDS: '0.05',
        ATHANOR_METRICS_ADDR: metricsAddr,
      }),
      { now: () => clock, metricsFlushMillis: 50 },
    );
    client = new tuner.TunerServiceClient(service.address, grpc.credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    await service?.stop();
    fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const statesOf = (trialId: string) => fake.updates.filter((u) => u.trialId === trialId).map((u) => u.state);

  it('reports leases, completions, lapsed leases and the end of a stopped study', async () => {
    const { study } = await call<tuner.CreateStudyRequest, tuner.CreateStudyResponse>(
      client.createStudy.bind(client),
      {
        requestId: '',
        spec: tuner.StudySpec.fromJSON({
          name: 'reported',
          objective: { metric: 'val_top1', direction: 'OBJECTIVE_DIRECTION_MAXIMIZE' },
          baseConfig: {
            model: { spec: { name: 'tiny', mlp: { widths: [16] } } },
            dataset: { synthetic: { exampleShape: [4, 4, 1], numClasses: 4 } },
            optimizer: { sgd: {}, lr: 0.1 },
            batchSize: 32,
            epochs: 1,
          },
          searchSpace: { parameters: [{ name: 'optimizer.lr', doubleRange: { low: 0.01, high: 0.1 } }] },
          algorithm: { random: {}, seed: 3 },
          budget: { maxParallelTrials: 2 },
          lease: { leaseDuration: { seconds: 10 }, maxAttempts: 3 },
        }),
      },
    );
    const { assignments } = await call<tuner.SuggestTrialsRequest, tuner.SuggestTrialsResponse>(
      client.suggestTrials.bind(client),
      tuner.SuggestTrialsRequest.fromPartial({ studyId: study!.id, workerId: 'w1', count: 2 }),
    );
    const [a, b] = assignments;
    // (Waiting keeps each transition in its own flush: a newer update replaces a waiting one.)
    await fake.until(() => statesOf(a.trial!.id).length > 0 && statesOf(b.trial!.id).length > 0);
    await call<tuner.CompleteTrialRequest, tuner.CompleteTrialResponse>(
      client.completeTrial.bind(client),
      tuner.CompleteTrialRequest.fromPartial({
        trialId: a.trial!.id,
        leaseId: a.leaseId,
        outcome: { $case: 'completed', value: { objectiveValue: 0.75, metrics: {} } },
      }),
    );
    await fake.until(() => statesOf(a.trial!.id).includes(TrialState.TRIAL_STATE_COMPLETED));
    const completed = fake.updates.find(
      (u) => u.trialId === a.trial!.id && u.state === TrialState.TRIAL_STATE_COMPLETED,
    )!;
    expect(completed).toMatchObject({
      studyId: study!.id,
      objectiveValue: 0.75,
      direction: tuner.ObjectiveDirection.OBJECTIVE_DIRECTION_MAXIMIZE,
    });
    expect(completed.time?.getTime()).toBe(clock);

    // b's worker goes silent: the reaper re-queues it.
    clock += 11_000;
    await fake.until(() => statesOf(b.trial!.id).includes(TrialState.TRIAL_STATE_QUEUED));
    const again = await call<tuner.SuggestTrialsRequest, tuner.SuggestTrialsResponse>(
      client.suggestTrials.bind(client),
      tuner.SuggestTrialsRequest.fromPartial({ studyId: study!.id, workerId: 'w2', count: 1 }),
    );
    expect(again.assignments[0].trial!.id).toBe(b.trial!.id);
    await fake.until(() => statesOf(b.trial!.id).length === 3);

    // The study stops; its running trial is told so and ends, and the study with it.
    await call<tuner.StopStudyRequest, tuner.StopStudyResponse>(
      client.stopStudy.bind(client),
      tuner.StopStudyRequest.fromPartial({ studyId: study!.id, stopRunningTrials: true }),
    );
    await call<tuner.CompleteTrialRequest, tuner.CompleteTrialResponse>(
      client.completeTrial.bind(client),
      tuner.CompleteTrialRequest.fromPartial({
        trialId: b.trial!.id,
        leaseId: again.assignments[0].leaseId,
        outcome: { $case: 'failed', value: { reason: 'study stopped', retryable: false } },
      }),
    );
    await fake.until(() => statesOf(b.trial!.id).includes(TrialState.TRIAL_STATE_FAILED));
    expect(statesOf(a.trial!.id)).toEqual([TrialState.TRIAL_STATE_RUNNING, TrialState.TRIAL_STATE_COMPLETED]);
    expect(statesOf(b.trial!.id)).toEqual([
      TrialState.TRIAL_STATE_RUNNING,
      TrialState.TRIAL_STATE_QUEUED,
      TrialState.TRIAL_STATE_RUNNING,
      TrialState.TRIAL_STATE_FAILED,
    ]);
  });
});
