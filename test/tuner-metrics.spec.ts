import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { tuner } from '@athanor/contracts';
import * as metricsService from '@athanor/metrics';
import { compileConfig, type RunningService } from '@athanor/service-kit';
import * as tunerService from '@athanor/tuner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unary } from './support/clients';
import { freePort } from './support/free-port';
import { TestWorker } from './support/tuner-worker';

// The tuner reports every trial transition to the metrics service, whose /metrics then shows each
// study's trials by state and best objective; when the metrics service is down the tuner keeps
// working and the updates arrive once it is back.

const ephemeral = { ATHANOR_GRPC_PORT: '0', ATHANOR_HTTP_PORT: '0', ATHANOR_LOG_LEVEL: 'silent' };

const spec = (name: string) =>
  tuner.StudySpec.fromJSON({
    name,
    objective: { metric: 'val_top1', direction: 'OBJECTIVE_DIRECTION_MAXIMIZE' },
    baseConfig: {
      model: { spec: { name: 'tiny', mlp: { widths: [16] } } },
      dataset: { synthetic: { exampleShape: [4, 4, 1], numClasses: 4 } },
      optimizer: { sgd: { momentum: 0.9 }, lr: 0.1 },
      batchSize: 32,
      epochs: 1,
    },
    searchSpace: { parameters: [{ name: 'optimizer.lr', doubleRange: { low: 0.01, high: 0.5, log: true } }] },
    algorithm: { random: {}, seed: 11 },
    budget: { maxTrials: 4, maxParallelTrials: 2 },
  });

/** Four trials through SuggestTrials/CompleteTrial: three completed (0.5, 0.9, 0.7), one failed. */
async function runStudy(address: string, name: string): Promise<string> {
  const client = new tuner.TunerServiceClient(address, grpc.credentials.createInsecure());
  const worker = new TestWorker(address, `worker-${name}`);
  try {
    const { study } = await unary(client.createStudy.bind(client), { spec: spec(name), requestId: '' });
    const outcomes: tuner.CompleteTrialRequest['outcome'][] = [
      { $case: 'completed', value: { objectiveValue: 0.5, metrics: {} } },
      { $case: 'completed', value: { objectiveValue: 0.9, metrics: {} } },
      { $case: 'failed', value: { reason: 'diverged', retryable: false } },
      { $case: 'completed', value: { objectiveValue: 0.7, metrics: {} } },
    ];
    while (outcomes.length > 0) {
      const { assignments } = await worker.suggest(study!.id, 2);
      for (const a of assignments) await worker.complete(a, outcomes.shift());
    }
    const { study: done } = await unary(
      client.getStudy.bind(client),
      tuner.GetStudyRequest.fromPartial({ studyId: study!.id }),
    );
    expect(done!.state).toBe(tuner.StudyState.STUDY_STATE_COMPLETED);
    return study!.id;
  } finally {
    worker.close();
    client.close();
  }
}

/** The metrics service's /metrics lines of one study, polled until its last trial shows. */
async function studyLines(metrics: RunningService, studyId: string, timeoutMs = 20_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await (await fetch(`http://127.0.0.1:${metrics.httpPort}/metrics`)).text();
    const lines = text
      .split('\n')
      .filter((l) => l.startsWith('athanor_study_') && l.includes(`study="${studyId}"`));
    if (lines.includes(`athanor_study_trials{study="${studyId}",state="completed"} 3`)) return lines;
    if (Date.now() > deadline)
      throw new Error(`study ${studyId} not exported as expected; have:\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function expectExported(lines: string[], studyId: string): void {
  const at = (name: string, state?: string) =>
    lines.find((l) => l.startsWith(`${name}{study="${studyId}"${state ? `,state="${state}"` : ''}}`));
  expect(at('athanor_study_trials', 'completed')).toMatch(/ 3$/);
  expect(at('athanor_study_trials', 'failed')).toMatch(/ 1$/);
  expect(at('athanor_study_trials', 'running')).toMatch(/ 0$/);
  expect(at('athanor_study_trials', 'queued')).toMatch(/ 0$/);
  expect(at('athanor_study_best_objective')).toMatch(/ 0\.9$/);
  expect(at('athanor_study_last_objective')).toMatch(/ 0\.7$/);
}

describe('tuner -> metrics service', () => {
  const dir = mkdtempSync(join(tmpdir(), 'athanor-tuner-metrics-'));
  const services: RunningService[] = [];

  const startTuner = async (metricsAddr: string, name: string) => {
    const s = await tunerService.startTuner(
      compileConfig(tunerService.configSchema, {
        ...ephemeral,
        ATHANOR_DATA_DIR: join(dir, name),
        ATHANOR_METRICS_ADDR: metricsAddr,
      }),
      { metricsFlushMillis: 100 },
    );
    services.push(s);
    return s;
  };

  afterAll(async () => {
    for (const s of services.reverse()) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('with the metrics service up', () => {
    let metrics: RunningService;
    let upTuner: RunningService;
    beforeAll(async () => {
      metrics = await metricsService.startMetrics(compileConfig(metricsService.configSchema, ephemeral));
      services.push(metrics);
      upTuner = await startTuner(metrics.address, 'up');
    });

    it("exports the study's trials by state and its best objective", async () => {
      const studyId = await runStudy(upTuner.address, 'up');
      expectExported(await studyLines(metrics, studyId), studyId);
    });
  });

  it('keeps working while the metrics service is down, and delivers once it is back', async () => {
    const port = await freePort();
    const t = await startTuner(`127.0.0.1:${port}`, 'down');
    const studyId = await runStudy(t.address, 'down');
    const metrics = await metricsService.startMetrics(
      compileConfig(metricsService.configSchema, { ...ephemeral, ATHANOR_GRPC_PORT: String(port) }),
    );
    services.push(metrics);
    expectExported(await studyLines(metrics, studyId), studyId);
    // Nothing was lost: the buffer held every update while the service was away (the tuner counts
    // them sent when the answer comes back, just after the export shows them).
    let own = '';
    for (let i = 0; i < 100 && !/athanor_tuner_trial_updates_sent_total\{[^}]*\} [1-9]/.test(own); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 50));
      own = await (await fetch(`http://127.0.0.1:${t.httpPort}/metrics`)).text();
    }
    // Four updates, one a trial: its final state replaced its RUNNING one while both waited.
    expect(own).toMatch(/athanor_tuner_trial_updates_sent_total\{service="tuner"\} 4\n/);
    expect(own).not.toMatch(/athanor_tuner_trial_updates_dropped_total\{[^}]*\} [1-9]/);
  });
});
