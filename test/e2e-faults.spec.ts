import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { followStudy } from '@athanor/cli';
import { metrics, trainer, training, tuner } from '@athanor/contracts';
import { clientOptions } from '@athanor/service-kit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { unary } from './support/clients';
import { freePort } from './support/free-port';
import { ServiceProcess } from './support/process';
import { tinyConfig } from './support/tiny-config';

// The services as separate processes on loopback, faults injected with SIGKILL (issue 9): a worker
// dies mid-trial and its trial finishes on the other worker from its checkpoint; the tuner dies and
// comes back; the metrics service is away for a while. Nothing is lost and nothing runs twice.
const mainOf = (name: string) =>
  join(dirname(require.resolve(`@athanor/${name}/package.json`)), 'dist', 'main.js');

const dirs: string[] = [];
const processes: ServiceProcess[] = [];
afterEach(() => {
  for (const p of processes.splice(0)) p.child.kill('SIGKILL');
});
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function start(name: string, env: NodeJS.ProcessEnv): ServiceProcess {
  const p = new ServiceProcess(mainOf(name), {
    ATHANOR_HOST: '127.0.0.1',
    ATHANOR_GRPC_PORT: '0',
    ATHANOR_HTTP_PORT: '0',
    ATHANOR_LOG_LEVEL: 'info',
    ...env,
  });
  processes.push(p);
  return p;
}
const addressOf = async (p: ServiceProcess) => (await p.waitFor('serving')).grpc as string;
async function kill(p: ServiceProcess): Promise<void> {
  p.child.kill('SIGKILL');
  expect((await p.exited).signal).toBe('SIGKILL');
}

describe('faults across processes', () => {
  it('a worker and the tuner killed mid-study: every trial completes once, from checkpoints, with its metrics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'athanor-e2e-'));
    dirs.push(dir);
    const tunerPort = await freePort();
    const tunerEnv = {
      ATHANOR_GRPC_PORT: String(tunerPort),
      ATHANOR_DATA_DIR: join(dir, 'tuner'),
      ATHANOR_REAP_INTERVAL_SECONDS: '0.2',
    };
    let tunerProcess = start('tuner', tunerEnv);
    const metricsProcess = start('metrics', {});
    const tunerAddr = await addressOf(tunerProcess);
    const metricsAddr = await addressOf(metricsProcess);
    // Reconnects within seconds after the tuner's restart, as the services' own clients do.
    const tunerClient = new tuner.TunerServiceClient(
      tunerAddr,
      grpc.credentials.createInsecure(),
      clientOptions({}),
    );

    const { study } = await unary(tunerClient.createStudy.bind(tunerClient), {
      spec: tuner.StudySpec.fromJSON({
        name: 'e2e-faults',
        objective: { metric: 'val_loss' },
        // Long enough (20 epochs) that a kill lands mid-trial; a checkpoint every epoch.
        baseConfig: training.TrainConfig.toJSON(
          tinyConfig({
            epochs: 20,
            checkpoint: { everyNEpochs: 1 },
            dataset: {
              synthetic: {
                exampleShape: [4, 4, 1],
                numClasses: 4,
                trainExamples: 1024,
                validationExamples: 64,
                seed: 1,
              },
            },
          }),
        ),
        searchSpace: {
          parameters: [{ name: 'optimizer.lr', doubleRange: { low: 0.01, high: 0.2, log: true } }],
        },
        algorithm: { random: {}, seed: 1 },
        budget: { maxTrials: 4, maxParallelTrials: 2 },
        lease: { leaseDuration: { seconds: 4 }, maxAttempts: 3 },
      }),
      requestId: '',
    });
    const workerEnv = (id: string) => ({
      ATHANOR_TUNER_ADDR: tunerAddr,
      ATHANOR_METRICS_ADDR: metricsAddr,
      ATHANOR_WORKER_STUDY: study!.id,
      ATHANOR_WORKER_ID: id,
      ATHANOR_MAX_CONCURRENT_RUNS: '1',
      ATHANOR_WASM_THREADS: '1',
      // Shared, as a volume is on Kubernetes: the other worker resumes from these checkpoints.
      ATHANOR_CHECKPOINT_DIR: join(dir, 'checkpoints'),
      ATHANOR_DATA_DIR: join(dir, 'data'),
    });
    const w1 = start('trainer', workerEnv('w1'));
    const w2 = start('trainer', workerEnv('w2'));
    const w2Addr = await addressOf(w2);
    await addressOf(w1);

    const events: tuner.StudyEvent[] = [];
    let victim: string | undefined;
    let tunerKilled = false;
    const done = followStudy(tunerClient, study!.id, (e) => {
      events.push(e);
      const ev = e.event;
      // w1 holds a trial that has a checkpoint: kill w1.
      if (victim === undefined && ev?.$case === 'intermediateReported') {
        const t = latest(events, ev.value.trialId);
        if (t?.workerId === 'w1' && ev.value.value!.step >= 2) {
          victim = t.id;
          void kill(w1);
        }
      }
      // The victim's trial is running again on w2: now kill the tuner, and bring it back.
      if (
        victim !== undefined &&
        !tunerKilled &&
        ev?.$case === 'trialUpdated' &&
        ev.value.trial!.id === victim &&
        ev.value.trial!.workerId === 'w2' &&
        ev.value.trial!.state === tuner.TrialState.TRIAL_STATE_RUNNING
      ) {
        tunerKilled = true;
        void kill(tunerProcess).then(() => (tunerProcess = start('tuner', tunerEnv)));
      }
    });
    await done;
    expect(victim).toBeDefined();
    expect(tunerKilled).toBe(true);

    const got = await unary(
      tunerClient.getStudy.bind(tunerClient),
      tuner.GetStudyRequest.fromPartial({
        studyId: study!.id,
        leaderboardSize: 10,
        includeIntermediateValues: true,
      }),
    );
    tunerClient.close();
    expect(got.study!.state).toBe(tuner.StudyState.STUDY_STATE_COMPLETED);
    expect(got.study!.trialCounts).toMatchObject({ completed: 4, failed: 0, running: 0, queued: 0 });
    // Each trial reached COMPLETED exactly once (none lost, none run twice to completion).
    const completions = events.flatMap((e) =>
      e.event?.$case === 'trialUpdated' &&
      e.event.value.trial!.state === tuner.TrialState.TRIAL_STATE_COMPLETED
        ? [e.event.value.trial!.id]
        : [],
    );
    expect(completions.sort()).toEqual(got.leaderboard.map((t) => t.id).sort());
    expect(new Set(completions).size).toBe(4);

    // The victim finished on w2, resumed from a checkpoint w1 wrote, not from scratch.
    const moved = got.leaderboard.find((t) => t.id === victim)!;
    expect(moved.workerId).toBe('w2');
    expect(moved.attempts).toBeGreaterThanOrEqual(2);
    const w2Client = new trainer.TrainerServiceClient(w2Addr, grpc.credentials.createInsecure());
    const runs = await unary(
      w2Client.listRuns.bind(w2Client),
      trainer.ListRunsRequest.fromPartial({ trialId: victim }),
    );
    w2Client.close();
    const resumed = runs.runs.find((r) => r.state === trainer.RunState.RUN_STATE_COMPLETED)!;
    expect(resumed.resumedFrom?.step).toBeGreaterThan(0);
    expect(resumed.resumedFrom?.uri).toContain(join(dir, 'checkpoints'));
    expect(runs.runs.filter((r) => r.state === trainer.RunState.RUN_STATE_COMPLETED)).toHaveLength(1);

    // Every completed trial's metrics are in the metrics service.
    const query = new metrics.MetricsServiceClient(metricsAddr, grpc.credentials.createInsecure());
    for (const t of got.leaderboard) {
      const res = await unary(
        query.queryRun.bind(query),
        metrics.QueryRunRequest.fromPartial({ runId: t.runId, names: ['train_loss', 'val_loss'] }),
      );
      expect(res.series.map((s) => s.name).sort(), t.id).toEqual(['train_loss', 'val_loss']);
      expect(res.series.every((s) => s.points.length > 0)).toBe(true);
    }
    query.close();
  }, 180_000);

  it('a restarted worker hands its interrupted trial back at once, and it resumes from its checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'athanor-e2e-restart-'));
    dirs.push(dir);
    const tunerProcess = start('tuner', { ATHANOR_DATA_DIR: join(dir, 'tuner') });
    const tunerAddr = await addressOf(tunerProcess);
    // Reconnects within seconds after the tuner's restart, as the services' own clients do.
    const tunerClient = new tuner.TunerServiceClient(
      tunerAddr,
      grpc.credentials.createInsecure(),
      clientOptions({}),
    );
    const { study } = await unary(tunerClient.createStudy.bind(tunerClient), {
      spec: tuner.StudySpec.fromJSON({
        name: 'e2e-restart',
        objective: { metric: 'val_loss' },
        baseConfig: training.TrainConfig.toJSON(tinyConfig({ epochs: 12, checkpoint: { everyNEpochs: 1 } })),
        searchSpace: { parameters: [{ name: 'optimizer.lr', doubleRange: { low: 0.01, high: 0.2 } }] },
        algorithm: { random: {}, seed: 1 },
        budget: { maxTrials: 1 },
        // Far longer than this test: the trial must come back because the worker said so.
        lease: { leaseDuration: { seconds: 600 }, maxAttempts: 3 },
      }),
      requestId: '',
    });
    const env = (id: string) => ({
      ATHANOR_TUNER_ADDR: tunerAddr,
      ATHANOR_WORKER_STUDY: study!.id,
      ATHANOR_WORKER_ID: id,
      ATHANOR_CHECKPOINT_DIR: join(dir, 'checkpoints'),
      ATHANOR_DATA_DIR: join(dir, 'data'),
    });
    const first = start('trainer', env('first'));
    await addressOf(first);
    let restarted: ServiceProcess | undefined;
    let killed = false;
    const events: tuner.StudyEvent[] = [];
    await followStudy(tunerClient, study!.id, (e) => {
      events.push(e);
      const ev = e.event;
      if (!killed && ev?.$case === 'intermediateReported' && ev.value.value!.step >= 2) {
        // Killed after its second checkpointed epoch; then a trainer on the same directory (it
        // takes over the records of a trainer whose process is gone).
        killed = true;
        void kill(first).then(() => (restarted = start('trainer', env('second'))));
      }
    });
    expect(restarted).toBeDefined();
    const requeued = events.find(
      (e) =>
        e.event?.$case === 'trialUpdated' &&
        e.event.value.trial!.state === tuner.TrialState.TRIAL_STATE_QUEUED &&
        e.event.value.reason.includes('interrupted'),
    );
    expect(requeued, 'the trial went back to the queue because the restarted trainer said so').toBeDefined();
    const got = await unary(
      tunerClient.getStudy.bind(tunerClient),
      tuner.GetStudyRequest.fromPartial({ studyId: study!.id }),
    );
    tunerClient.close();
    expect(got.study!.trialCounts).toMatchObject({ completed: 1, failed: 0 });
    expect(got.bestTrial!.workerId).toBe('second');
    expect(got.bestTrial!.attempts).toBe(2);
    const client = new trainer.TrainerServiceClient(
      await addressOf(restarted!),
      grpc.credentials.createInsecure(),
    );
    const { runs } = await unary(
      client.listRuns.bind(client),
      trainer.ListRunsRequest.fromPartial({ studyId: study!.id }),
    );
    client.close();
    const resumed = runs.find((r) => r.state === trainer.RunState.RUN_STATE_COMPLETED)!;
    expect(resumed.resumedFrom?.step).toBeGreaterThan(0);
  }, 120_000);

  it('the metrics service away for a while: training goes on, and new points arrive when it is back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'athanor-e2e-metrics-'));
    dirs.push(dir);
    const metricsPort = await freePort();
    const trainerProcess = start('trainer', {
      ATHANOR_METRICS_ADDR: `127.0.0.1:${metricsPort}`,
      ATHANOR_CHECKPOINT_DIR: join(dir, 'checkpoints'),
      ATHANOR_DATA_DIR: join(dir, 'data'),
    });
    const client = new trainer.TrainerServiceClient(
      await addressOf(trainerProcess),
      grpc.credentials.createInsecure(),
    );
    const { runId } = await unary(
      client.startRun.bind(client),
      trainer.StartRunRequest.fromPartial({
        config: tinyConfig({ epochs: 40, checkpoint: { saveFinal: false } }),
      }),
    );
    // Train a while with nowhere to send points.
    const stepBeforeMetrics = await untilStep(client, runId, 30);
    const metricsProcess = start('metrics', { ATHANOR_GRPC_PORT: String(metricsPort) });
    await addressOf(metricsProcess);
    const finished = await untilFinished(client, runId);
    client.close();
    expect(finished.state).toBe(trainer.RunState.RUN_STATE_COMPLETED);
    // A clean stop flushes what the reporter still holds (it sends once a second otherwise).
    trainerProcess.child.kill('SIGTERM');
    expect((await trainerProcess.exited).code).toBe(0);

    const query = new metrics.MetricsServiceClient(
      `127.0.0.1:${metricsPort}`,
      grpc.credentials.createInsecure(),
    );
    const res = await unary(
      query.queryRun.bind(query),
      metrics.QueryRunRequest.fromPartial({ runId, names: ['train_loss'] }),
    );
    query.close();
    const steps = res.series[0].points.map((p) => p.step);
    // Points from after the service came back arrived, up to the last step ...
    expect(Math.max(...steps)).toBe(finished.step);
    // ... and so did the ones buffered while it was away.
    expect(Math.min(...steps)).toBeLessThanOrEqual(stepBeforeMetrics);
  }, 120_000);
});

/** The latest snapshot of a trial among the events so far. */
function latest(events: readonly tuner.StudyEvent[], trialId: string): tuner.Trial | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const ev = events[i].event;
    if (ev?.$case === 'trialUpdated' && ev.value.trial!.id === trialId) return ev.value.trial;
  }
  return undefined;
}

/** Resolves with the run's step once it has reached `step` (watching its events). */
function untilStep(client: trainer.TrainerServiceClient, runId: string, step: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const call = client.watchRun(trainer.WatchRunRequest.fromPartial({ runId, replay: true }));
    call.on('data', (r: trainer.WatchRunResponse) => {
      const e = r.event?.event;
      if (e?.$case === 'step' && e.value.step >= step) {
        call.cancel();
        resolve(e.value.step);
      }
    });
    call.on('error', (err: grpc.ServiceError) =>
      err.code === grpc.status.CANCELLED ? undefined : reject(err),
    );
    call.on('end', () => reject(new Error(`run ${runId} ended before step ${step}`)));
  });
}

async function untilFinished(client: trainer.TrainerServiceClient, runId: string): Promise<trainer.Run> {
  await new Promise<void>((resolve, reject) => {
    const call = client.watchRun(
      trainer.WatchRunRequest.fromPartial({ runId, replay: true, excludeSteps: true }),
    );
    call.on('data', () => undefined);
    call.on('error', reject);
    call.on('end', () => resolve());
  });
  return (await unary(client.getRun.bind(client), { runId })).run!;
}
