import { tuner } from '@athanor/contracts';
import { compileConfig, type RunningService } from '@athanor/service-kit';
import * as tunerService from '@athanor/tuner';
import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// With ATHANOR_AUTH_TOKEN set, the tuner's write RPCs need the bearer token; reads do not.
const TOKEN = 'a-test-token-of-32-characters-xx';

function call<Req, Res>(
  fn: (
    r: Req,
    m: grpc.Metadata,
    o: Partial<grpc.CallOptions>,
    cb: (e: grpc.ServiceError | null, r: Res) => void,
  ) => unknown,
  request: Req,
  token?: string,
): Promise<Res> {
  const metadata = new grpc.Metadata();
  if (token) metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve, reject) =>
    fn(request, metadata, { deadline: Date.now() + 10_000 }, (e, r) => (e ? reject(e) : resolve(r))),
  );
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: grpc.ServiceError) => e,
  );

describe('tuner with a bearer token', () => {
  let dir: string;
  let service: RunningService;
  let client: tuner.TunerServiceClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'athanor-auth-'));
    service = await tunerService.startTuner(
      compileConfig(tunerService.configSchema, {
        ATHANOR_GRPC_PORT: '0',
        ATHANOR_HTTP_PORT: '0',
        ATHANOR_LOG_LEVEL: 'silent',
        ATHANOR_DATA_DIR: dir,
        ATHANOR_AUTH_TOKEN: TOKEN,
      }),
    );
    client = new tuner.TunerServiceClient(service.address, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client.close();
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const create = tuner.CreateStudyRequest.fromPartial({});

  it('refuses a write without the token, saying what is missing', async () => {
    const err = await failure(call(client.createStudy.bind(client), create));
    expect(err?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(err?.details).toMatch(/token/i);
  });

  it('refuses a write with a wrong token', async () => {
    const err = await failure(call(client.createStudy.bind(client), create, 'x'.repeat(32)));
    expect(err?.code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it('lets a write with the token through to validation', async () => {
    const err = await failure(call(client.createStudy.bind(client), create, TOKEN));
    expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT); // the empty spec, not the token, is the problem
  });

  it('serves reads without the token', async () => {
    const err = await failure(
      call(client.getStudy.bind(client), tuner.GetStudyRequest.fromPartial({ studyId: 'nope' })),
    );
    expect(err?.code).toBe(grpc.status.NOT_FOUND);
  });
});
