import { metrics } from '@athanor/contracts';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commonSchema, compileConfig } from './config';
import { InvalidArgumentError, NotFoundError } from './errors';
import { type RunningService, startService } from './server';
import { fieldViolations } from './status';

// A real server on ephemeral ports whose handlers fail in each way the kit must map.
const config = compileConfig(commonSchema({ grpcPort: 0, httpPort: 0 }), { ATHANOR_LOG_LEVEL: 'silent' });

function call<Req, Res>(
  fn: (
    r: Req,
    m: grpc.Metadata,
    o: Partial<grpc.CallOptions>,
    cb: (e: grpc.ServiceError | null, r: Res) => void,
  ) => unknown,
  request: Req,
): Promise<Res> {
  return new Promise((resolve, reject) =>
    fn(request, new grpc.Metadata(), { deadline: Date.now() + 5000 }, (e, r) => (e ? reject(e) : resolve(r))),
  );
}

function failure(p: Promise<unknown>): Promise<grpc.ServiceError> {
  return p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: grpc.ServiceError) => e,
  );
}

describe('startService', () => {
  let service: RunningService;
  let client: metrics.MetricsServiceClient;
  let mode = 'ok';

  beforeAll(async () => {
    service = await startService({
      name: 'kit-test',
      config,
      register(r) {
        r.add(
          metrics.MetricsServiceService,
          {
            getServiceInfo() {
              switch (mode) {
                case 'invalid':
                  throw new InvalidArgumentError([
                    { field: 'spec.layers[3].kernelSize', description: 'must be positive, got 0' },
                    { field: 'spec.name', description: 'must not be empty' },
                  ]);
                case 'pure-library':
                  // What training-core's ValidationError looks like: no gRPC in it.
                  throw Object.assign(new Error('spec.step.gamma: must be > 0'), {
                    violations: [{ field: 'spec.step.gamma', description: 'must be > 0' }],
                  });
                case 'not-found':
                  throw new NotFoundError('run', 'r-42');
                case 'huge':
                  // Echoing a 200 KB id or thousands of violations must not outgrow the trailers.
                  throw new InvalidArgumentError(
                    Array.from({ length: 5000 }, (_, i) => ({
                      field: `ids[${i}]`,
                      description: 'x'.repeat(1000),
                    })),
                  );
                case 'huge-id':
                  throw new NotFoundError('run', 'A'.repeat(200_000));
                case 'bug':
                  throw new Error('secret internal detail');
                default:
                  return Promise.resolve({ info: undefined });
              }
            },
          },
          'issue 8 (metrics service)',
        );
      },
    });
    client = new metrics.MetricsServiceClient(service.address, grpc.credentials.createInsecure());
  });

  afterAll(async () => {
    client.close();
    await service.stop();
  });

  it('answers a working call', async () => {
    mode = 'ok';
    await expect(call(client.getServiceInfo.bind(client), {})).resolves.toEqual({ info: undefined });
  });

  it('sends every field violation as INVALID_ARGUMENT with google.rpc.BadRequest details', async () => {
    mode = 'invalid';
    const err = await failure(call(client.getServiceInfo.bind(client), {}));
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toBe(
      'spec.layers[3].kernelSize: must be positive, got 0; spec.name: must not be empty',
    );
    expect(fieldViolations(err)).toEqual([
      { field: 'spec.layers[3].kernelSize', description: 'must be positive, got 0' },
      { field: 'spec.name', description: 'must not be empty' },
    ]);
  });

  it('maps a pure library error carrying violations the same way', async () => {
    mode = 'pure-library';
    const err = await failure(call(client.getServiceInfo.bind(client), {}));
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(fieldViolations(err)).toEqual([{ field: 'spec.step.gamma', description: 'must be > 0' }]);
  });

  it('keeps the status of a named error', async () => {
    mode = 'not-found';
    const err = await failure(call(client.getServiceInfo.bind(client), {}));
    expect(err.code).toBe(grpc.status.NOT_FOUND);
    expect(err.details).toBe('run "r-42" not found');
  });

  it('keeps a status small enough to arrive when the input is huge', async () => {
    mode = 'huge';
    const err = await failure(call(client.getServiceInfo.bind(client), {}));
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details.length).toBeLessThan(2100);
    const violations = fieldViolations(err);
    expect(violations).toHaveLength(21);
    expect(violations[20].description).toBe('... and 4980 more problems');
    mode = 'huge-id';
    const notFound = await failure(call(client.getServiceInfo.bind(client), {}));
    expect(notFound.code).toBe(grpc.status.NOT_FOUND);
    expect(notFound.details).toMatch(/^run "A{100}"\.\.\. \(200000 characters\) not found$/);
  });

  it('turns an unexpected error into INTERNAL with an id, without leaking its text', async () => {
    mode = 'bug';
    const err = await failure(call(client.getServiceInfo.bind(client), {}));
    expect(err.code).toBe(grpc.status.INTERNAL);
    expect(err.details).not.toContain('secret');
    expect(err.details).toMatch(/error id [0-9a-f-]{36}/);
  });

  it('answers a method the implementation lacks with UNIMPLEMENTED naming the issue', async () => {
    const err = await failure(call(client.queryRun.bind(client), metrics.QueryRunRequest.fromPartial({})));
    expect(err.code).toBe(grpc.status.UNIMPLEMENTED);
    expect(err.details).toBe(
      'MetricsService.QueryRun is not available in this version: it arrives with issue 8 (metrics service)',
    );
  });

  it('counts calls by method and code', async () => {
    const body = await service.metrics.registry.metrics();
    expect(body).toMatch(
      /athanor_grpc_server_handled_total\{method="MetricsService\/GetServiceInfo",code="INVALID_ARGUMENT",service="kit-test"\} 3/,
    );
    expect(body).toMatch(
      /athanor_grpc_server_handled_total\{method="MetricsService\/QueryRun",code="UNIMPLEMENTED",service="kit-test"\} 1/,
    );
  });

  it('stops once, however often it is asked', async () => {
    const other = await startService({ name: 'twice', config, register: () => undefined });
    await Promise.all([other.stop(), other.stop()]);
    await other.stop();
  });
});
