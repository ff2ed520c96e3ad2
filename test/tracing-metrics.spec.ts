// One trace across gRPC servers: the client's span is the parent of the metrics service's server
// span, and through a relay service (a server that calls the metrics service while handling a
// call, as the trainer will) the chain client -> server -> client -> server stays one trace, each
// server span's parent arriving as W3C trace context in gRPC metadata.
//
// Tracing must start before @grpc/grpc-js loads, so this file imports nothing that loads gRPC at
// the top; the services and clients are required after startTestTracing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Loaded with require so that nothing here loads gRPC before tracing starts.
type TestingTracing = typeof import('@athanor/service-kit/testing-tracing');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tt = require('@athanor/service-kit/testing-tracing') as TestingTracing;

type Grpc = typeof import('@grpc/grpc-js');
type Contracts = typeof import('@athanor/contracts');
type MetricsPackage = typeof import('@athanor/metrics');
type Kit = typeof import('@athanor/service-kit');

describe('traces across the metrics service', () => {
  let tracing: ReturnType<TestingTracing['startTestTracing']>;
  let grpc: Grpc;
  let contracts: Contracts;
  let service: Awaited<ReturnType<MetricsPackage['startMetrics']>>;
  let relay: InstanceType<Grpc['Server']>;
  let relayAddress: string;
  let client: InstanceType<Contracts['metrics']['MetricsServiceClient']>;
  let backend: InstanceType<Contracts['metrics']['MetricsServiceClient']>;

  beforeAll(async () => {
    tracing = tt.startTestTracing('tracing-test');
    /* eslint-disable @typescript-eslint/no-require-imports */
    grpc = require('@grpc/grpc-js') as Grpc;
    contracts = require('@athanor/contracts') as Contracts;
    const metricsPackage = require('@athanor/metrics') as MetricsPackage;
    const kit = require('@athanor/service-kit') as Kit;
    /* eslint-enable @typescript-eslint/no-require-imports */
    const { metrics } = contracts;
    service = await metricsPackage.startMetrics(
      kit.compileConfig(metricsPackage.configSchema, {
        ATHANOR_GRPC_PORT: '0',
        ATHANOR_HTTP_PORT: '0',
        ATHANOR_LOG_LEVEL: 'silent',
      }),
    );
    backend = new metrics.MetricsServiceClient(service.address, grpc.credentials.createInsecure());
    // A relay: answers QueryRun by asking the metrics service, inside its own handler.
    relay = new grpc.Server();
    relay.addService(metrics.MetricsServiceService, {
      reportMetrics: () => undefined,
      getServiceInfo: () => undefined,
      queryRun: (
        call: import('@grpc/grpc-js').ServerUnaryCall<
          import('@athanor/contracts').metrics.QueryRunRequest,
          import('@athanor/contracts').metrics.QueryRunResponse
        >,
        callback: import('@grpc/grpc-js').sendUnaryData<
          import('@athanor/contracts').metrics.QueryRunResponse
        >,
      ) => backend.queryRun(call.request, (err, res) => callback(err, res)),
    });
    const port = await new Promise<number>((resolve, reject) =>
      relay.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    relayAddress = `127.0.0.1:${port}`;
    client = new metrics.MetricsServiceClient(service.address, grpc.credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    backend?.close();
    relay?.forceShutdown();
    await service?.stop(); // also stops tracing
  });

  it('links the client span of ReportMetrics to the metrics server span', async () => {
    tracing.reset();
    const { metrics } = contracts;
    await new Promise<void>((resolve, reject) => {
      const call = client.reportMetrics((err) => (err ? reject(err) : resolve()));
      call.write(
        metrics.ReportMetricsRequest.fromPartial({
          points: [{ runId: 'traced-run', name: 'train_loss', step: 1, value: 0.5, wallTime: new Date() }],
        }),
      );
      call.end();
    });
    const spans = await tracing.waitForSpans((s) =>
      s.some((x) => x.kind === 'server' && x.name.endsWith('MetricsService/ReportMetrics')),
    );
    const [clientSpan, serverSpan] = tt.expectChain(spans, [
      { kind: 'client', rpc: 'MetricsService/ReportMetrics' },
      { kind: 'server', rpc: 'MetricsService/ReportMetrics' },
    ]);
    expect(serverSpan.parentIsRemote).toBe(true);
    expect(serverSpan.traceId).toBe(clientSpan.traceId);
    expect(clientSpan.service).toBe('athanor-tracing-test');
  });

  it('keeps one trace through a service that calls the metrics service', async () => {
    tracing.reset();
    const { metrics } = contracts;
    const relayClient = new metrics.MetricsServiceClient(relayAddress, grpc.credentials.createInsecure());
    try {
      const res = await new Promise<import('@athanor/contracts').metrics.QueryRunResponse>(
        (resolve, reject) =>
          relayClient.queryRun(metrics.QueryRunRequest.fromPartial({ runId: 'traced-run' }), (err, r) =>
            err ? reject(err) : resolve(r),
          ),
      );
      expect(res.runId).toBe('traced-run');
    } finally {
      relayClient.close();
    }
    const spans = await tracing.waitForSpans(
      (s) => s.filter((x) => x.kind === 'server' && x.name.endsWith('MetricsService/QueryRun')).length === 2,
    );
    const chain = tt.expectChain(spans, [
      { kind: 'client', rpc: 'MetricsService/QueryRun' },
      { kind: 'server', rpc: 'MetricsService/QueryRun' },
      { kind: 'client', rpc: 'MetricsService/QueryRun' },
      { kind: 'server', rpc: 'MetricsService/QueryRun' },
    ]);
    expect(new Set(chain.map((s) => s.traceId)).size).toBe(1);
    expect(() => tt.expectChildOf(chain[3], chain[0])).toThrow(/to be a child of/);
  });

  it('does not link calls made outside any trace context', async () => {
    tracing.reset();
    const { metrics } = contracts;
    const ask = () =>
      new Promise<void>((resolve) =>
        client.queryRun(metrics.QueryRunRequest.fromPartial({ runId: 'traced-run' }), () => resolve()),
      );
    await ask();
    await ask();
    const spans = await tracing.waitForSpans((s) => s.filter((x) => x.kind === 'server').length === 2);
    const clients = spans.filter((s) => s.kind === 'client');
    expect(clients).toHaveLength(2);
    expect(clients[0].traceId).not.toBe(clients[1].traceId);
  });
});
