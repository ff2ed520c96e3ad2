// A real Prometheus (Debian's package) scrapes the metrics service while points stream in through
// the generated client, and every query of the Grafana dashboards returns data from it; promtool
// checks the exposition the service actually serves. Under CI=true a missing binary fails the
// suite (.ci/run installs it); elsewhere the suite is skipped with a message saying what to install.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { metrics, trainer, tuner } from '@athanor/contracts';
import * as metricsService from '@athanor/metrics';
import { compileConfig, type RunningService } from '@athanor/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PROMETHEUS = '/usr/bin/prometheus';
const PROMTOOL = '/usr/bin/promtool';
const missing = [PROMETHEUS, PROMTOOL].filter((bin) => !existsSync(bin));
if (missing.length > 0 && process.env.CI === 'true')
  throw new Error(`${missing.join(', ')} missing: CI must install Debian package "prometheus" (.ci/run)`);
const skipReason =
  missing.length > 0 ? `skipped: ${missing.join(', ')} missing (apt-get install -y prometheus)` : '';
if (skipReason) console.warn(`metrics-prometheus.spec.ts ${skipReason}`);

const RUN = 'run-prom-1';
const STUDY = 'study-prom';
const TRIAL = 'trial-prom-1';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs`. */
async function poll<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface PromResult {
  status: string;
  data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
  error?: string;
}

/** One training step's points of the run: every name the dashboards chart. */
function stepPoints(step: number): metrics.MetricPoint[] {
  const base = {
    runId: RUN,
    studyId: STUDY,
    trialId: TRIAL,
    step,
    wallTime: new Date(),
    layer: undefined,
    parameterGroup: undefined,
  };
  const p = (name: string, value: number, extra: Partial<metrics.MetricPoint> = {}) => ({
    ...base,
    name,
    value,
    ...extra,
  });
  return [
    p('train_loss', 2 / (step + 1)),
    p('val_loss', 2.2 / (step + 1)),
    p('val_top1', Math.min(1, 0.1 + step / 100)),
    p('val_top5', Math.min(1, 0.5 + step / 100)),
    p('lr', 0.1, { parameterGroup: 'backbone' }),
    p('lr', 0.01, { parameterGroup: 'head' }),
    p('grad_norm', 1.5),
    ...['conv1', 'conv2', 'conv3', 'dense'].map((layer, i) => p('grad_norm', 0.1 * (i + 1), { layer })),
    p('samples_per_second', 900 + step),
    p('step_seconds', 0.02 + (step % 5) / 100),
    p('epoch', Math.floor(step / 10)),
  ];
}

describe.skipIf(Boolean(skipReason))('metrics service scraped by a real Prometheus', () => {
  let service: RunningService;
  let client: metrics.MetricsServiceClient;
  let prometheus: ChildProcess;
  let prometheusLog = '';
  let promUrl: string;
  let dir: string;
  let stream: grpc.ClientWritableStream<metrics.ReportMetricsRequest>;
  let response: Promise<metrics.ReportMetricsResponse>;
  let step = 0;

  /** Sends one more step: keeps counters and the histogram moving between scrapes, for rate(). */
  const sendStep = () => {
    stream.write({ points: stepPoints(step++), source: 'prometheus-test', runUpdates: [], trialUpdates: [] });
  };

  beforeAll(async () => {
    service = await metricsService.startMetrics(
      compileConfig(metricsService.configSchema, {
        ATHANOR_GRPC_PORT: '0',
        ATHANOR_HTTP_PORT: '0',
        ATHANOR_LOG_LEVEL: 'silent',
      }),
    );
    client = new metrics.MetricsServiceClient(service.address, grpc.credentials.createInsecure());
    response = new Promise((resolve, reject) => {
      stream = client.reportMetrics((err, res) => (err ? reject(err) : resolve(res)));
    });
    stream.write({
      points: [],
      source: 'prometheus-test',
      runUpdates: [
        {
          runId: RUN,
          trialId: TRIAL,
          studyId: STUDY,
          state: trainer.RunState.RUN_STATE_RUNNING,
          time: new Date(),
        },
      ],
      trialUpdates: [
        ['t0', tuner.TrialState.TRIAL_STATE_COMPLETED, 0.42],
        ['t1', tuner.TrialState.TRIAL_STATE_COMPLETED, 0.37],
        ['t2', tuner.TrialState.TRIAL_STATE_PRUNED, undefined],
        [TRIAL, tuner.TrialState.TRIAL_STATE_RUNNING, undefined],
      ].map(([trialId, state, objectiveValue]) => ({
        studyId: STUDY,
        trialId: trialId as string,
        state: state as tuner.TrialState,
        objectiveValue: objectiveValue as number | undefined,
        direction: tuner.ObjectiveDirection.OBJECTIVE_DIRECTION_MINIMIZE,
        time: new Date(),
      })),
    });
    for (let i = 0; i < 5; i++) sendStep();

    dir = mkdtempSync(join(tmpdir(), 'athanor-prometheus-'));
    const config = join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        '  - job_name: athanor-metrics',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${service.httpPort}']`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    prometheus.stderr!.on('data', (d: Buffer) => (prometheusLog += d.toString()));
    await poll('Prometheus to be ready', async () =>
      (await fetch(`${promUrl}/-/ready`)).ok ? true : undefined,
    );
  });

  afterAll(async () => {
    stream?.end();
    await response?.catch(() => undefined);
    client?.close();
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus.once('exit', r));
      prometheus.kill('SIGTERM');
      await exited;
    }
    await service?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function promQuery(expr: string): Promise<PromResult> {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as PromResult;
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error ?? res.status}`);
    return body;
  }

  it('serves an exposition that promtool accepts', async () => {
    const text = await (await fetch(`http://127.0.0.1:${service.httpPort}/metrics`)).text();
    expect(text).toContain(
      `athanor_training_loss{study="${STUDY}",trial="${TRIAL}",run="${RUN}",split="train"}`,
    );
    const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
    expect(r.status).toBe(0);
  });

  it('is scraped: the run appears in Prometheus', async () => {
    const result = await poll('the loss to be scraped', async () => {
      const r = await promQuery(`athanor_training_loss{run="${RUN}"}`);
      return r.data.result.length > 0 ? r : undefined;
    });
    expect(result.data.result.map((s) => s.metric.split).sort()).toEqual(['train', 'validation']);
    const targets = (await (await fetch(`${promUrl}/api/v1/targets`)).json()) as {
      data: { activeTargets: { health: string }[] };
    };
    expect(targets.data.activeTargets.map((t) => t.health)).toEqual(['up']);
  });

  it('returns data for every query of the Grafana dashboards', async () => {
    const { dashboards, panelQueries, substitute, variableMetrics } = metricsService.grafana;
    const queries = Object.values(dashboards()).flatMap(panelQueries);
    expect(queries.length).toBeGreaterThan(10);
    const empty = await poll(
      'every dashboard query to return data',
      async () => {
        sendStep();
        const stillEmpty: string[] = [];
        for (const q of queries) {
          const expr = substitute(q.expr, { run: RUN, study: STUDY, trial: '.*' }, '10s');
          const r = await promQuery(expr);
          if (r.data.result.length === 0) stillEmpty.push(`${q.where}: ${expr}`);
        }
        return stillEmpty.length === 0 ? stillEmpty : undefined;
      },
      25_000,
    ).catch((err: Error) => [err.message]);
    expect(empty).toEqual([]);
    // The template variables' label_values() find the run, its trial and its study.
    for (const [label, value] of [
      ['run', RUN],
      ['trial', TRIAL],
      ['study', STUDY],
    ]) {
      const names = Object.values(dashboards()).flatMap(variableMetrics);
      const match = names.map((n) => `match[]=${encodeURIComponent(n)}`).join('&');
      const body = (await (await fetch(`${promUrl}/api/v1/label/${label}/values?${match}`)).json()) as {
        data: string[];
      };
      expect(body.data).toContain(value);
    }
  });

  it('answers the stream with the counts', async () => {
    stream.write({
      points: [{ ...stepPoints(step)[0], value: Number.NaN }],
      source: 'prometheus-test',
      runUpdates: [],
      trialUpdates: [],
    });
    stream.end();
    const res = await response;
    expect(res.accepted).toBe(step * stepPoints(0).length);
    expect(res.rejected).toBe(1);
    expect(res.rejectionReasons).toEqual([{ reason: 'non_finite_value', count: 1 }]);
    expect(res.updatesAccepted).toBe(5);
    expect(prometheusLog).not.toMatch(/level=error/);
  });
});
