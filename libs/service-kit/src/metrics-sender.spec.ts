import * as grpc from '@grpc/grpc-js';
import { metrics } from '@athanor/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsSender } from './metrics-sender';

/** A metrics service that records every message and answers after `delayMs`. */
function fakeMetrics(delayMs: number) {
  const received: metrics.ReportMetricsRequest[] = [];
  const server = new grpc.Server();
  server.addService(metrics.MetricsServiceService, {
    reportMetrics: (
      call: grpc.ServerReadableStream<metrics.ReportMetricsRequest, metrics.ReportMetricsResponse>,
      callback: grpc.sendUnaryData<metrics.ReportMetricsResponse>,
    ) => {
      let accepted = 0;
      call.on('data', (m: metrics.ReportMetricsRequest) => {
        received.push(m);
        accepted += m.points.length;
      });
      call.on('end', () =>
        setTimeout(() => callback(null, metrics.ReportMetricsResponse.fromPartial({ accepted })), delayMs),
      );
    },
    queryRun: () => undefined,
    getServiceInfo: () => undefined,
  });
  return { server, received };
}

const point = (step: number): metrics.MetricPoint =>
  metrics.MetricPoint.fromPartial({ runId: 'r', step, name: 'train_loss', value: 1 / step });

describe('MetricsSender', () => {
  const fake = fakeMetrics(50);
  let address: string;
  beforeAll(async () => {
    const port = await new Promise<number>((resolve, reject) =>
      fake.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    address = `127.0.0.1:${port}`;
  });
  afterAll(() => fake.server.forceShutdown());

  it('drains what arrived while a flush was under way, not only that flush', async () => {
    let waiting: metrics.MetricPoint[] = [];
    const accepted: number[] = [];
    const sender = new MetricsSender({
      address,
      flushMillis: 60_000,
      take: () => {
        const points = waiting;
        waiting = [];
        return points.length ? [metrics.ReportMetricsRequest.fromPartial({ points })] : [];
      },
      delivered: (r) => accepted.push(r.accepted),
      undelivered: (e) => {
        throw e;
      },
    });
    waiting.push(point(1));
    const first = sender.flush();
    waiting.push(point(2)); // after the first flush took its points
    expect(sender.flush()).toBe(first); // one flush at a time: a second call joins it
    await sender.close(5000);
    expect(accepted).toEqual([1, 1]);
    expect(fake.received.flatMap((m) => m.points.map((p) => p.step))).toEqual([1, 2]);
  });

  it('hands what it took back when the service is unreachable, and never throws to the caller', async () => {
    const back: metrics.ReportMetricsRequest[][] = [];
    const sender = new MetricsSender({
      address: '127.0.0.1:1',
      flushMillis: 60_000,
      take: () => [metrics.ReportMetricsRequest.fromPartial({ points: [point(3)] })],
      delivered: () => {
        throw new Error('nothing listens there');
      },
      undelivered: (_e, sent) => back.push(sent),
    });
    await sender.flush();
    await sender.close(1000);
    expect(back.length).toBeGreaterThanOrEqual(1);
    expect(back[0][0].points[0].step).toBe(3);
  });
});
