import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { metrics, type common } from '@athanor/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { unary } from './support/clients';
import { ServiceProcess } from './support/process';

describe('graceful shutdown', () => {
  let proc: ServiceProcess | undefined;
  afterEach(() => {
    proc?.child.kill('SIGKILL');
  });

  it('lets an in-flight call finish after SIGTERM, refuses new ones, and exits 0', async () => {
    proc = new ServiceProcess(join(__dirname, 'fixtures/slow-service.js'), {
      ATHANOR_GRPC_PORT: '0',
      ATHANOR_HTTP_PORT: '0',
      SLOW_MS: '1500',
    });
    const serving = await proc.waitFor('serving');
    const address = serving.grpc as string;
    const client = new metrics.MetricsServiceClient(address, grpc.credentials.createInsecure());
    const inFlight = unary<object, { info?: common.ServiceInfo }>(client.getServiceInfo.bind(client), {});

    await proc.waitFor('call started');
    proc.child.kill('SIGTERM');
    await proc.waitFor('shutting down');

    const { info } = await inFlight; // completes although SIGTERM arrived while it ran
    expect(info?.name).toBe('slow');

    const late = new metrics.MetricsServiceClient(address, grpc.credentials.createInsecure());
    await expect(unary(late.getServiceInfo.bind(late), {})).rejects.toMatchObject({
      code: grpc.status.UNAVAILABLE,
    });
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    client.close();
    late.close();
  });

  it('cancels calls still running when the grace period ends', async () => {
    proc = new ServiceProcess(join(__dirname, 'fixtures/slow-service.js'), {
      ATHANOR_GRPC_PORT: '0',
      ATHANOR_HTTP_PORT: '0',
      ATHANOR_SHUTDOWN_GRACE_SECONDS: '0.2',
      SLOW_MS: '20000',
    });
    const serving = await proc.waitFor('serving');
    const client = new metrics.MetricsServiceClient(
      serving.grpc as string,
      grpc.credentials.createInsecure(),
    );
    const inFlight = unary(client.getServiceInfo.bind(client), {});
    await proc.waitFor('call started');
    proc.child.kill('SIGTERM');
    await expect(inFlight).rejects.toMatchObject({ code: grpc.status.CANCELLED });
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    client.close();
  });
});

describe('configuration', () => {
  it('refuses to start on a bad port value and names the variable', async () => {
    const trainerMain = join(__dirname, '..', 'services', 'trainer', 'dist', 'main.js');
    const proc = new ServiceProcess(trainerMain, { ATHANOR_GRPC_PORT: 'fifty', ATHANOR_HTTP_PORT: '0' });
    const { code } = await proc.exited;
    expect(code).toBe(78);
    expect(proc.stderr).toContain('ATHANOR_GRPC_PORT');
    expect(proc.stderr).toContain('"fifty"');
  });
});
