import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metrics } from '@athanor/contracts';
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientOptions } from './auth';
import { commonSchema, compileConfig, ConfigError } from './config';
import { type RunningService, startService } from './server';
import { clientCredentials, loadTls } from './tls';

// End to end on loopback: a throwaway PKI made with openssl (two CAs, so that a certificate from
// the wrong one can be tried), services started with TLS, mutual TLS and a token, and clients
// with and without each credential.
const dir = mkdtempSync(join(tmpdir(), 'athanor-pki-'));
const file = (name: string) => join(dir, name);
const token = 'test-token-0123456789abcdef';

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

/** A key and a certificate signed by `ca` (or self-signed when `ca` is undefined: a CA). */
function issue(name: string, subject: string, ca?: string, extensions?: string): void {
  const key = [
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    file(`${name}.key`),
  ];
  if (!ca) {
    openssl('req', '-x509', ...key, '-out', file(`${name}.crt`), '-days', '2', '-subj', subject);
    return;
  }
  openssl('req', ...key, '-out', file(`${name}.csr`), '-subj', subject);
  writeFileSync(file(`${name}.ext`), extensions ?? '');
  // prettier-ignore
  openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${ca}.crt`), '-CAkey', file(`${ca}.key`),
    '-CAcreateserial', '-out', file(`${name}.crt`), '-days', '2', '-extfile', file(`${name}.ext`));
}

const env = (extra: Record<string, string>) =>
  compileConfig(commonSchema({ grpcPort: 0, httpPort: 0 }), { ATHANOR_LOG_LEVEL: 'silent', ...extra });

/** A service whose QueryRun counts as a write (needs the token) and GetServiceInfo as a read. */
function serve(extra: Record<string, string>): Promise<RunningService> {
  return startService({
    name: 'security-test',
    config: env(extra),
    register(r) {
      r.add(
        metrics.MetricsServiceService,
        {
          queryRun: (request) =>
            Promise.resolve(metrics.QueryRunResponse.fromPartial({ runId: request.runId })),
          getServiceInfo: () => Promise.resolve({ info: undefined }),
        },
        'a test',
        { writeMethods: ['queryRun'] },
      );
    },
  });
}

function query(client: metrics.MetricsServiceClient, deadlineMs = 5000): Promise<metrics.QueryRunResponse> {
  return new Promise((resolve, reject) =>
    client.queryRun(
      metrics.QueryRunRequest.fromPartial({ runId: 'r1' }),
      new grpc.Metadata(),
      { deadline: Date.now() + deadlineMs },
      (e, r) => (e ? reject(e) : resolve(r)),
    ),
  );
}

function info(client: metrics.MetricsServiceClient): Promise<unknown> {
  return new Promise((resolve, reject) =>
    client.getServiceInfo({}, new grpc.Metadata(), { deadline: Date.now() + 5000 }, (e, r) =>
      e ? reject(e) : resolve(r),
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

const HealthClient = grpc.makeGenericClientConstructor(healthService, 'Health');

function healthOf(address: string): Promise<string> {
  const c = new HealthClient(address, grpc.credentials.createInsecure()) as unknown as {
    Check(
      r: { service: string },
      o: grpc.CallOptions,
      cb: (e: grpc.ServiceError | null, r?: { status: string }) => void,
    ): void;
    close(): void;
  };
  return new Promise((resolve, reject) =>
    c.Check({ service: '' }, { deadline: Date.now() + 5000 }, (e, r) => {
      c.close();
      if (e) reject(e);
      else resolve(r!.status);
    }),
  );
}

const clients: grpc.Client[] = [];
function client(address: string, credentials: grpc.ChannelCredentials, options: grpc.ClientOptions = {}) {
  const c = new metrics.MetricsServiceClient(address, credentials, options);
  clients.push(c);
  return c;
}

beforeAll(() => {
  issue('ca', '/CN=athanor-test-ca');
  issue('rogue-ca', '/CN=someone-else');
  issue(
    'server',
    '/CN=security-test',
    'ca',
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n',
  );
  issue('trainer', '/CN=trainer', 'ca', 'extendedKeyUsage=clientAuth\n');
  issue('intruder', '/CN=trainer', 'rogue-ca', 'extendedKeyUsage=clientAuth\n');
});

afterAll(() => {
  for (const c of clients) c.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('TLS', () => {
  let service: RunningService;
  beforeAll(async () => {
    service = await serve({
      ATHANOR_TLS_CERT: file('server.crt'),
      ATHANOR_TLS_KEY: file('server.key'),
      ATHANOR_HEALTH_PORT: '0',
    });
  });
  afterAll(() => service.stop());

  it('serves a client that verifies the server against the CA', async () => {
    const creds = grpc.credentials.createSsl(
      loadTls({ tlsCert: file('ca.crt'), tlsKey: file('ca.key') })!.cert,
    );
    await expect(query(client(service.address, creds))).resolves.toMatchObject({ runId: 'r1' });
  });

  it('answers plaintext health checks on ATHANOR_HEALTH_PORT only (for the kubelet)', async () => {
    expect(service.healthPort).toBeGreaterThan(0);
    await expect(healthOf(`127.0.0.1:${service.healthPort}`)).resolves.toBe('SERVING');
    const err = await failure(
      query(client(`127.0.0.1:${service.healthPort}`, grpc.credentials.createInsecure())),
    );
    expect(err.code).toBe(grpc.status.UNIMPLEMENTED); // the API is not on the plaintext port
  });

  it('refuses a plaintext client', async () => {
    const err = await failure(query(client(service.address, grpc.credentials.createInsecure()), 2000));
    expect(err.code).toBe(grpc.status.UNAVAILABLE);
  });

  it('is refused by a client that trusts another CA', async () => {
    const creds = grpc.credentials.createSsl(
      loadTls({ tlsCert: file('rogue-ca.crt'), tlsKey: file('rogue-ca.key') })!.cert,
    );
    const err = await failure(query(client(service.address, creds), 2000));
    expect(err.code).toBe(grpc.status.UNAVAILABLE);
  });
});

describe('mutual TLS with a bearer token', () => {
  let service: RunningService;
  const trainerConfig = {
    tlsCert: file('trainer.crt'),
    tlsKey: file('trainer.key'),
    tlsCa: file('ca.crt'),
    authToken: token,
  };
  beforeAll(async () => {
    service = await serve({
      ATHANOR_TLS_CERT: file('server.crt'),
      ATHANOR_TLS_KEY: file('server.key'),
      ATHANOR_TLS_CA: file('ca.crt'),
      ATHANOR_AUTH_TOKEN: token,
    });
  });
  afterAll(() => service.stop());

  it('serves a peer with a certificate from the CA and the token (clientCredentials + clientOptions)', async () => {
    const c = client(service.address, clientCredentials(trainerConfig), clientOptions(trainerConfig));
    await expect(query(c)).resolves.toMatchObject({ runId: 'r1' });
    await expect(info(c)).resolves.toEqual({ info: undefined });
  });

  it('refuses a write without the token, saying what is missing, and still serves reads', async () => {
    const c = client(service.address, clientCredentials(trainerConfig));
    const err = await failure(query(c));
    expect(err.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(err.details).toBe(
      'athanor.metrics.v1.MetricsService/QueryRun changes state and needs a bearer token: send "authorization: Bearer <token>" metadata with the service\'s ATHANOR_AUTH_TOKEN',
    );
    await expect(info(c)).resolves.toEqual({ info: undefined });
  });

  it('refuses a wrong token', async () => {
    const c = client(
      service.address,
      clientCredentials(trainerConfig),
      clientOptions({ authToken: `${token}-old` }),
    );
    expect((await failure(query(c))).code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it('refuses a client without a certificate, even with the token', async () => {
    const creds = grpc.credentials.createSsl(loadTls(trainerConfig)!.ca);
    const err = await failure(query(client(service.address, creds, clientOptions(trainerConfig)), 2000));
    expect(err.code).toBe(grpc.status.UNAVAILABLE);
  });

  it('refuses a certificate from another CA', async () => {
    const intruder = loadTls({ tlsCert: file('intruder.crt'), tlsKey: file('intruder.key') })!;
    const creds = grpc.credentials.createSsl(loadTls(trainerConfig)!.ca, intruder.key, intruder.cert);
    const err = await failure(query(client(service.address, creds, clientOptions(trainerConfig)), 2000));
    expect(err.code).toBe(grpc.status.UNAVAILABLE);
  });

  it('counts refused calls by method and code', async () => {
    const body = await service.metrics.registry.metrics();
    expect(body).toMatch(
      /athanor_grpc_server_handled_total\{method="MetricsService\/QueryRun",code="UNAUTHENTICATED",service="security-test"\} 2/,
    );
  });
});

describe('bearer token without TLS (loopback)', () => {
  let service: RunningService;
  beforeAll(async () => {
    service = await serve({ ATHANOR_AUTH_TOKEN: token });
  });
  afterAll(() => service.stop());

  it('needs the token for writes only', async () => {
    const plain = grpc.credentials.createInsecure();
    expect((await failure(query(client(service.address, plain)))).code).toBe(grpc.status.UNAUTHENTICATED);
    await expect(info(client(service.address, plain))).resolves.toEqual({ info: undefined });
    const c = client(service.address, plain, clientOptions({ authToken: token }));
    await expect(query(c)).resolves.toMatchObject({ runId: 'r1' });
  });
});

describe('TLS configuration', () => {
  it('fails fast, naming the variable, when half configured or unreadable', async () => {
    expect(() => loadTls({ tlsCert: file('server.crt') })).toThrow(
      /ATHANOR_TLS_KEY: ATHANOR_TLS_CERT and ATHANOR_TLS_KEY are set together/,
    );
    expect(() => loadTls({ tlsCa: file('ca.crt') })).toThrow(/ATHANOR_TLS_CA: mutual TLS needs/);
    expect(() => loadTls({ tlsCert: file('nope.crt'), tlsKey: file('server.key') })).toThrow(
      /ATHANOR_TLS_CERT: cannot read/,
    );
    expect(() => loadTls({ tlsCert: file('server.ext'), tlsKey: file('server.key') })).toThrow(ConfigError);
    await expect(serve({ ATHANOR_TLS_CA: file('ca.crt') })).rejects.toThrow(ConfigError);
  });

  it('is plaintext when nothing is configured', () => {
    expect(loadTls({})).toBeUndefined();
  });
});
