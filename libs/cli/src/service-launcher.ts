import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SERVICES, type ServiceName } from './addresses';
import { waitServing } from './health-check';

export interface LaunchedService {
  /** The service, or for an extra trainer worker e.g. "trainer-worker-1". */
  readonly label: string;
  readonly grpc: string;
  readonly metricsUrl: string;
  readonly log: string;
  readonly child: ChildProcess;
}

export interface LaunchOptions {
  readonly host: string;
  /** Directory for the services' JSON logs (one file per service). */
  readonly logDir: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Extra variables for one service, over the peers' addresses (e.g. to take a variable away: ''). */
  readonly envFor?: Partial<Record<ServiceName, NodeJS.ProcessEnv>>;
}

/**
 * Starts the four services as separate processes on their default ports, wired to each other
 * through ATHANOR_*_ADDR. The services are found as installed packages: the CLI spawns them, it
 * never imports them. Wait for them with `waitReady`.
 */
export function spawnServices(options: LaunchOptions): LaunchedService[] {
  return SERVICES.map((s) =>
    spawnService(
      s.name,
      s.name,
      options,
      { grpcPort: s.grpcPort, httpPort: s.httpPort },
      options.envFor?.[s.name],
    ),
  );
}

/**
 * Starts trainer number `index` (1-based) as a worker of `studyId`: its own process and ports
 * (gRPC 50052 + 10 * index, HTTP 9462 + 10 * index), pulling that study's trials from the tuner.
 */
export function spawnTrainerWorker(
  options: LaunchOptions,
  index: number,
  studyId: string,
  env: NodeJS.ProcessEnv = {},
): LaunchedService {
  const trainer = SERVICES.find((s) => s.name === 'trainer')!;
  return spawnService(
    'trainer',
    `trainer-worker-${index}`,
    options,
    { grpcPort: trainer.grpcPort + 10 * index, httpPort: trainer.httpPort + 10 * index },
    { ATHANOR_WORKER_STUDY: studyId, ATHANOR_WORKER_ID: `worker-${index}-${process.pid}`, ...env },
  );
}

function spawnService(
  name: ServiceName,
  label: string,
  options: LaunchOptions,
  ports: { grpcPort: number; httpPort: number },
  extra: NodeJS.ProcessEnv = {},
): LaunchedService {
  mkdirSync(options.logDir, { recursive: true });
  const peers = Object.fromEntries(SERVICES.map((s) => [s.env, `${options.host}:${s.grpcPort}`]));
  const log = join(options.logDir, `${label}.log`);
  const env: NodeJS.ProcessEnv = {
    ...(options.env ?? process.env),
    ...peers,
    ATHANOR_HOST: options.host,
    ATHANOR_GRPC_PORT: String(ports.grpcPort),
    ATHANOR_HTTP_PORT: String(ports.httpPort),
    ...extra,
  };
  // An empty value takes a variable away (a service must not see ATHANOR_TUNER_ADDR="").
  for (const [k, v] of Object.entries(env)) if (v === '') delete env[k];
  const child = spawn(process.execPath, [entryPoint(name)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const file = createWriteStream(log, { flags: 'a' });
  child.stdout.pipe(file);
  child.stderr.pipe(file);
  child.stderr.on('data', (chunk: Buffer) => process.stderr.write(`[${label}] ${chunk.toString()}`));
  return {
    label,
    grpc: `${options.host}:${ports.grpcPort}`,
    metricsUrl: `http://${options.host}:${ports.httpPort}/metrics`,
    log,
    child,
  };
}

/** Resolves once every service answers SERVING; stops them all and rejects if one cannot start. */
export async function waitReady(launched: readonly LaunchedService[], timeoutMs: number): Promise<void> {
  const early = new Promise<never>((_, reject) => {
    for (const l of launched) {
      l.child.once('exit', (code, signal) =>
        reject(new Error(`${l.label} exited during start-up (${signal ?? `code ${code}`}); see ${l.log}`)),
      );
    }
  });
  try {
    await Promise.race([
      early,
      Promise.all(
        launched.map(async (l) => {
          const answer = await waitServing(l.grpc, timeoutMs);
          if (answer.status !== 'SERVING') {
            throw new Error(
              `${l.label} at ${l.grpc} is not serving: ${answer.status} ${answer.detail ?? ''}`,
            );
          }
        }),
      ),
    ]);
  } catch (err) {
    await stopServices(launched);
    throw err;
  }
  early.catch(() => undefined); // later exits are the caller's business (see stopServices / 'exit')
}

/** SIGTERM to each service (they drain in-flight calls), then wait for all to exit. */
export async function stopServices(launched: readonly LaunchedService[]): Promise<void> {
  await Promise.all(
    launched.map(
      (l) =>
        new Promise<void>((resolve) => {
          if (l.child.exitCode !== null || l.child.signalCode !== null) return resolve();
          l.child.once('exit', () => resolve());
          l.child.kill('SIGTERM');
        }),
    ),
  );
}

function entryPoint(name: ServiceName): string {
  const pkg = `@athanor/${name}/package.json`;
  try {
    return join(dirname(require.resolve(pkg)), 'dist', 'main.js');
  } catch {
    throw new Error(
      `the ${name} service is not installed here (cannot resolve ${pkg}); run npm install at the repository root`,
    );
  }
}
