import * as grpc from '@grpc/grpc-js';
import { metrics, trainer } from '@athanor/contracts';
import { compileConfig, type RunningService } from '@athanor/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from './config';
import { startMetrics } from './server';
import { point, report } from './testing/points';

// The service end to end through the generated client: stream, query, errors, /metrics, expiry.
describe('metrics service', () => {
  let service: RunningService;
  let client: metrics.MetricsServiceClient;
  let clock = 1_700_000_000_000;

  beforeAll(async () => {
    service = await startMetrics(
      compileConfig(configSchema, {
        ATHANOR_GRPC_PORT: '0',
        ATHANOR_HTTP_PORT: '0',
        ATHANOR_LOG_LEVEL: 'silent',
        ATHANOR_METRICS_FINISHED_RUN_TTL_SECONDS: '60',
      }),
      { now: () => clock },
    );
    client = new metrics.MetricsServiceClient(service.address, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    await service?.stop();
  });

  const send = (messages: metrics.ReportMetricsRequest[]) =>
    new Promise<metrics.ReportMetricsResponse>((resolve, reject) => {
      const call = client.reportMetrics((err, res) => (err ? reject(err) : resolve(res)));
      for (const m of messages) call.write(m);
      call.end();
    });
  const query = (request: Partial<metrics.QueryRunRequest>) =>
    new Promise<metrics.QueryRunResponse>((resolve, reject) =>
      client.queryRun(
        metrics.QueryRunRequest.fromPartial(request),
        (err: grpc.ServiceError | null, res: metrics.QueryRunResponse) => (err ? reject(err) : resolve(res)),
      ),
    );
  const scrape = async () => (await fetch(`http://127.0.0.1:${service.httpPort}/metrics`)).text();

  it('ingests a stream, answers with counts, and serves the series to QueryRun', async () => {
    const steps = Array.from({ length: 300 }, (_, step) =>
      point({ runId: 'srv-1', step, value: 1 / (step + 1) }),
    );
    const res = await send([
      report(steps.slice(0, 150)),
      report([
        ...steps.slice(150),
        point({ runId: 'srv-1', step: 3 }),
        point({ runId: 'srv-1', name: 'BAD' }),
      ]),
    ]);
    expect(res).toMatchObject({ accepted: 300, rejected: 2, evicted: 0 });
    expect(res.rejectedPoints).toEqual([
      { messageIndex: 1, pointIndex: 150, reason: 'out_of_order_step' },
      { messageIndex: 1, pointIndex: 151, reason: 'invalid_name' },
    ]);
    const out = await query({ runId: 'srv-1', names: ['train_loss'], maxPoints: 30 });
    expect(out.series).toHaveLength(1);
    expect(out.series[0].points).toHaveLength(30);
    expect(out.series[0].totalPoints).toBe(300);
    expect(out.series[0].points.at(-1)!.step).toBe(299);
  });

  it('answers NOT_FOUND for an unknown run and INVALID_ARGUMENT naming the field', async () => {
    await expect(query({ runId: 'nobody' })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    const error = (await query({ runId: 'srv-1', startStep: 5, endStep: 2 }).catch(
      (e: unknown) => e,
    )) as grpc.ServiceError;
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toContain('end_step: must be >= start_step (5), got 2');
  });

  it('exports the run on /metrics and drops it a TTL after it finished', async () => {
    expect(await scrape()).toContain(
      'athanor_training_loss{study="",trial="",run="srv-1",split="train"} 0.0033',
    );
    await send([
      report([], {
        runUpdates: [
          {
            runId: 'srv-1',
            trialId: '',
            studyId: '',
            state: trainer.RunState.RUN_STATE_COMPLETED,
            time: undefined,
          },
        ],
      }),
    ]);
    expect(await scrape()).toContain('run="srv-1"');
    clock += 60_000;
    const text = await scrape();
    expect(text).not.toContain('run="srv-1"');
    expect(text).toContain(
      'athanor_grpc_server_handled_total{method="MetricsService/ReportMetrics",code="OK",service="metrics"}',
    );
    // Still queryable: the export expires, the stored run stays until room is needed.
    expect((await query({ runId: 'srv-1', names: ['train_loss'] })).state).toBe(
      trainer.RunState.RUN_STATE_COMPLETED,
    );
  });
});
