import * as grpc from '@grpc/grpc-js';
import { common, metrics, modelbuilder, trainer, tuner } from '@athanor/contracts';
import * as metricsService from '@athanor/metrics';
import * as modelBuilderService from '@athanor/model-builder';
import { compileConfig, type RunningService } from '@athanor/service-kit';
import * as trainerService from '@athanor/trainer';
import * as tunerService from '@athanor/tuner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthCheck, reflectionServices, unary } from './support/clients';

const ephemeral = { ATHANOR_GRPC_PORT: '0', ATHANOR_HTTP_PORT: '0', ATHANOR_LOG_LEVEL: 'silent' };

type InfoClient = grpc.Client & {
  getServiceInfo: (
    r: object,
    m: grpc.Metadata,
    o: Partial<grpc.CallOptions>,
    cb: (e: grpc.ServiceError | null, r: { info?: common.ServiceInfo }) => void,
  ) => grpc.ClientUnaryCall;
};

const cases = [
  {
    name: 'model-builder',
    pkg: modelBuilderService,
    start: () =>
      modelBuilderService.startModelBuilder(compileConfig(modelBuilderService.configSchema, ephemeral)),
    fqn: 'athanor.modelbuilder.v1.ModelBuilderService',
    Client: modelbuilder.ModelBuilderServiceClient,
  },
  {
    name: 'trainer',
    pkg: trainerService,
    start: () => trainerService.startTrainer(compileConfig(trainerService.configSchema, ephemeral)),
    fqn: 'athanor.trainer.v1.TrainerService',
    Client: trainer.TrainerServiceClient,
  },
  {
    name: 'tuner',
    pkg: tunerService,
    start: () => tunerService.startTuner(compileConfig(tunerService.configSchema, ephemeral)),
    fqn: 'athanor.tuner.v1.TunerService',
    Client: tuner.TunerServiceClient,
  },
  {
    name: 'metrics',
    pkg: metricsService,
    start: () => metricsService.startMetrics(compileConfig(metricsService.configSchema, ephemeral)),
    fqn: 'athanor.metrics.v1.MetricsService',
    Client: metrics.MetricsServiceClient,
  },
] as const;

describe.each(cases)('$name service', ({ name, start, fqn, Client }) => {
  let service: RunningService;
  let client: InfoClient;

  beforeAll(async () => {
    service = await start();
    client = new Client(service.address, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    await service?.stop();
  });

  it('listens on ephemeral ports', () => {
    expect(service.grpcPort).toBeGreaterThan(0);
    expect(service.httpPort).toBeGreaterThan(0);
    expect(service.grpcPort).not.toBe(service.httpPort);
  });

  it('is SERVING on grpc.health.v1, overall and for its API', async () => {
    expect(await healthCheck(service.address)).toBe('SERVING');
    expect(await healthCheck(service.address, fqn)).toBe('SERVING');
    await expect(healthCheck(service.address, 'athanor.nope.v1.NopeService')).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
    });
  });

  it('lists its API through server reflection', async () => {
    expect(await reflectionServices(service.address)).toContain(fqn);
  });

  it('answers GetServiceInfo through the generated client', async () => {
    const { info } = await unary(client.getServiceInfo.bind(client), {});
    expect(info?.name).toBe(name);
    expect(info?.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(info?.startedAt).toBeInstanceOf(Date);
    expect(info?.instanceId).toContain(String(process.pid));
  });

  it('exports RPC metrics by method and code on /metrics', async () => {
    await unary(client.getServiceInfo.bind(client), {});
    const body = await (await fetch(`http://127.0.0.1:${service.httpPort}/metrics`)).text();
    const serviceName = fqn.split('.').pop();
    expect(body).toContain(
      `athanor_grpc_server_handled_total{method="${serviceName}/GetServiceInfo",code="OK",service="${name}"}`,
    );
    expect(body).toContain('athanor_grpc_server_handling_seconds_bucket');
    expect(body).toContain('athanor_process_cpu_seconds_total');
    expect((await fetch(`http://127.0.0.1:${service.httpPort}/other`)).status).toBe(404);
  });
});
