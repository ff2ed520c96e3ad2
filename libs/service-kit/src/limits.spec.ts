import { metrics } from '@athanor/contracts';
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commonSchema, compileConfig } from './config';
import { type RunningService, startService } from './server';

// One client may hold at most ATHANOR_MAX_CALLS_PER_CLIENT calls; requests are bounded in size.
// The service must answer RESOURCE_EXHAUSTED past either and keep serving.
const config = compileConfig(commonSchema({ grpcPort: 0, httpPort: 0 }), {
  ATHANOR_LOG_LEVEL: 'silent',
  ATHANOR_MAX_CALLS_PER_CLIENT: '2',
  ATHANOR_MAX_RECEIVE_MESSAGE_BYTES: '1024',
});

const HealthClient = grpc.makeGenericClientConstructor(healthService, 'Health');

let service: RunningService;
let client: metrics.MetricsServiceClient;
let entered: () => void = () => undefined;
let gate: Promise<void> = Promise.resolve();
let open: () => void = () => undefined;
let cancelled: () => void = () => undefined;

function hold(): Promise<void> {
  gate = new Promise((resolve) => (open = resolve));
  return new Promise((resolve) => (entered = resolve));
}

function query(runId = 'r'): Promise<metrics.QueryRunResponse> {
  return new Promise((resolve, reject) =>
    client.queryRun(
      metrics.QueryRunRequest.fromPartial({ runId }),
      new grpc.Metadata(),
      { deadline: Date.now() + 5000 },
      (e, r) => (e ? reject(e) : resolve(r)),
    ),
  );
}

async function failure(p: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await p;
  } catch (err) {
    return err as grpc.ServiceError;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  service = await startService({
    name: 'limits-test',
    config,
    register(r) {
      r.add(metrics.MetricsServiceService, {
        async queryRun(request, call) {
          call.once('cancelled', () => cancelled());
          entered();
          await gate;
          return metrics.QueryRunResponse.fromPartial({ runId: request.runId });
        },
      });
    },
  });
  client = new metrics.MetricsServiceClient(service.address, grpc.credentials.createInsecure());
});

afterAll(async () => {
  client.close();
  await service.stop();
});

describe('limits', () => {
  it('refuses a client’s call past its limit with RESOURCE_EXHAUSTED, then serves it again', async () => {
    let inside = hold();
    const first = query('1');
    await inside;
    inside = new Promise((resolve) => (entered = resolve));
    const second = query('2');
    await inside; // two calls now hold both of this client's slots
    const err = await failure(query('3'));
    expect(err.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(err.details).toMatch(
      /too many concurrent calls from this client \(limit 2, ATHANOR_MAX_CALLS_PER_CLIENT\)/,
    );

    // Health checks are exempt: a busy client must not make the kubelet restart the pod.
    const health = new HealthClient(service.address, grpc.credentials.createInsecure()) as unknown as {
      Check(r: { service: string }, cb: (e: grpc.ServiceError | null, r?: { status: string }) => void): void;
      close(): void;
    };
    const status = await new Promise((resolve, reject) =>
      health.Check({ service: '' }, (e, r) => (e ? reject(e) : resolve(r!.status))),
    );
    health.close();
    expect(status).toBe('SERVING');

    open();
    await expect(Promise.all([first, second])).resolves.toHaveLength(2);
    await expect(query('4')).resolves.toMatchObject({ runId: '4' }); // the slots came back
  });

  it('frees the slot of a call the client cancelled', async () => {
    const inside = hold();
    const seen = new Promise<void>((resolve) => (cancelled = resolve));
    const call = client.queryRun(metrics.QueryRunRequest.fromPartial({ runId: 'c' }), () => undefined);
    await inside;
    call.cancel();
    // grpc-js tells the guard (which frees the slot) before the handler's 'cancelled' event.
    await seen;
    // The cancelled handler is still blocked, yet its slot is free: two calls fit while it waits.
    let both = new Promise<void>((resolve) => (entered = resolve));
    const five = query('5');
    await both;
    both = new Promise<void>((resolve) => (entered = resolve));
    const six = query('6');
    await both;
    open();
    await expect(Promise.all([five, six])).resolves.toHaveLength(2);
  });

  it('refuses a request larger than ATHANOR_MAX_RECEIVE_MESSAGE_BYTES and stays up', async () => {
    const err = await failure(query('x'.repeat(4096)));
    expect(err.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    await expect(query('small')).resolves.toMatchObject({ runId: 'small' });
  });
});
