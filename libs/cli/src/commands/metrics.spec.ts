import { metrics } from '@athanor/contracts';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsInputError, metricsShowRequest, queryRun, renderMetricsShow } from './metrics';

const series = (name: string, values: number[], extra: Partial<metrics.Series> = {}): metrics.Series => ({
  name,
  layer: undefined,
  parameterGroup: undefined,
  points: values.map((value, i) => ({ step: 100 + i * 10, value, wallTime: new Date(0) })),
  totalPoints: values.length,
  downsampled: false,
  ...extra,
});

const response: metrics.QueryRunResponse = {
  runId: 'run-7',
  trialId: 'trial-3',
  studyId: 'study-1',
  state: 0,
  series: [
    series('lr', [0.01, 0.05, 0.1, 0.1, 0.05], { parameterGroup: 'head' }),
    series('train_loss', [2.3, 1.5, 1.1, 0.9, 0.8], { totalPoints: 50, downsampled: true }),
  ],
};

describe('metricsShowRequest', () => {
  it('asks for loss and LR by default, downsampled with LTTB', () => {
    const r = metricsShowRequest('run-7', {});
    expect(r).toMatchObject({ runId: 'run-7', names: ['train_loss', 'val_loss', 'lr'], maxPoints: 400 });
    expect(r.downsampling).toBe(metrics.Downsampling.DOWNSAMPLING_LTTB);
  });

  it('expands aliases and keeps other names', () => {
    expect(metricsShowRequest('r', { names: 'grad_norm, accuracy', maxPoints: '0' })).toMatchObject({
      names: ['grad_norm', 'train_top1', 'val_top1', 'val_top5'],
      maxPoints: 0,
    });
  });

  it.each([
    [{ names: 'Loss!' }, /^--names: "Loss!" is not a metric name/],
    [{ maxPoints: '-3' }, /^--max-points: must be an integer >= 0/],
  ])('rejects %j naming the option', (options, message) => {
    expect(() => metricsShowRequest('r', options)).toThrow(MetricsInputError);
    expect(() => metricsShowRequest('r', options)).toThrow(message);
  });
});

describe('renderMetricsShow', () => {
  it('draws one chart per series with its real step range', () => {
    const out = renderMetricsShow(response);
    const lines = out.split('\n');
    expect(lines[0]).toBe('run run-7 · study study-1 · trial trial-3');
    expect(out).toContain('lr · group head: steps 100..140, 5 points');
    expect(out).toContain('train_loss: steps 100..140, 5 of 50 points (downsampled)');
    expect(out).toContain('last 0.8 at step 140');
    expect(out).toContain('2.3 ┤');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(72);
  });

  it('prints proto3 JSON with --json', () => {
    const json = JSON.parse(renderMetricsShow(response, { json: true })) as {
      runId: string;
      series: unknown[];
    };
    expect(json.runId).toBe('run-7');
    expect(json.series).toHaveLength(2);
  });
});

describe('queryRun', () => {
  let server: grpc.Server;
  let address: string;
  let seen: metrics.QueryRunRequest | undefined;

  beforeAll(async () => {
    server = new grpc.Server();
    server.addService(metrics.MetricsServiceService, {
      reportMetrics: () => undefined,
      getServiceInfo: () => undefined,
      queryRun: (
        call: grpc.ServerUnaryCall<metrics.QueryRunRequest, metrics.QueryRunResponse>,
        cb: grpc.sendUnaryData<metrics.QueryRunResponse>,
      ) => {
        seen = call.request;
        if (call.request.runId === 'missing')
          cb({ code: grpc.status.NOT_FOUND, details: 'run "missing" not found' });
        else cb(null, response);
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    address = `127.0.0.1:${port}`;
  });
  afterAll(() => server.forceShutdown());

  it('calls QueryRun on the metrics service', async () => {
    const res = await queryRun(address, metricsShowRequest('run-7', {}));
    expect(seen?.names).toEqual(['train_loss', 'val_loss', 'lr']);
    expect(res.series.map((s) => s.name)).toEqual(['lr', 'train_loss']);
  });

  it('passes NOT_FOUND through', async () => {
    await expect(queryRun(address, metricsShowRequest('missing', {}))).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
    });
  });
});
