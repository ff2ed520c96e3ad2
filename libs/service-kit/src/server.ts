import { readFileSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import { descriptorSetPath } from '@athanor/contracts';
import * as grpc from '@grpc/grpc-js';
import { loadFileDescriptorSetFromBuffer } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import { type AuthConfig, loadAuthToken } from './auth';
import { callGuard } from './call-guard';
import { type AsyncImplementation, serviceNameOf, wrapImplementation } from './handlers';
import { createLogger, type Logger } from './logger';
import { closeServer, portOf, serveMetrics } from './metrics-http';
import { createServiceMetrics, type ServiceMetrics } from './metrics-registry';
import { type LimitsConfig, serverLimitOptions } from './server-limits';
import { loadTls, serverCredentials, type TlsConfig } from './tls';
import { stopTracing } from './tracing';

/**
 * The part of a service's config the kit reads (see commonSchema). Security and limit fields are
 * optional so that a hand-made config (tests) keeps meaning plaintext, no auth, grpc-js limits.
 */
export interface ServerConfig extends TlsConfig, AuthConfig, LimitsConfig {
  readonly host: string;
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly logLevel: string;
  readonly shutdownGraceSeconds: number;
  readonly maxCallsPerClient?: number;
  /** Plaintext port with grpc.health.v1 only (kubelet probes cannot do TLS); undefined: none. */
  readonly healthPort?: number | undefined;
}

export interface AddOptions<D> {
  /**
   * Methods that change state (start a run, create a study): when a bearer token is configured,
   * calls to them without it answer UNAUTHENTICATED. Reads stay open to any client that the
   * transport (TLS, mutual TLS) let in.
   */
  readonly writeMethods?: readonly (keyof D & string)[];
}

export interface Registrar {
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  /**
   * Serves `definition` with `implementation`; methods it lacks answer UNIMPLEMENTED saying they
   * arrive with `arrivesWith` (e.g. "issue 6 (trainer)").
   */
  add<D extends grpc.ServiceDefinition>(
    definition: D,
    implementation: Partial<AsyncImplementation<D>>,
    arrivesWith?: string,
    options?: AddOptions<D>,
  ): void;
  /** Runs during shutdown after the gRPC server stopped (e.g. dispose models, close databases). */
  onShutdown(hook: () => Promise<void> | void): void;
}

export interface RunningService {
  readonly name: string;
  readonly grpcPort: number;
  readonly httpPort: number;
  /** The plaintext health-only port, when ATHANOR_HEALTH_PORT is set. */
  readonly healthPort?: number;
  /** `host:port` a client dials. */
  readonly address: string;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  /** Ordered, idempotent shutdown: NOT_SERVING, drain with a deadline, force, hooks, telemetry. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Short name: model-builder, trainer, tuner, metrics. */
  readonly name: string;
  readonly config: ServerConfig;
  readonly register: (registrar: Registrar) => void | Promise<void>;
  readonly logger?: Logger;
  readonly metrics?: ServiceMetrics;
  /** Extra options for the grpc-js server (message size limits and the like). */
  readonly serverOptions?: grpc.ServerOptions;
}

export async function startService(options: StartOptions): Promise<RunningService> {
  const { name, config } = options;
  const logger = options.logger ?? createLogger(name, config.logLevel);
  const metrics = options.metrics ?? createServiceMetrics(name);
  // Read certificates and the token before anything else: a bad file stops the service (exit 78).
  const token = loadAuthToken(config);
  const tls = loadTls(config);
  const writeMethods = new Set<string>(); // filled by add() below, read by the guard per call
  const server = new grpc.Server({
    ...serverLimitOptions(config),
    ...options.serverOptions,
    interceptors: [
      callGuard({ token, writeMethods, maxCallsPerClient: config.maxCallsPerClient ?? 0, metrics }),
      ...(options.serverOptions?.interceptors ?? []),
    ],
  });
  const served: string[] = [];
  const hooks: (() => Promise<void> | void)[] = [];

  await options.register({
    logger,
    metrics,
    add(definition, implementation, arrivesWith = 'a later version', addOptions = {}) {
      for (const key of addOptions.writeMethods ?? []) {
        const method = definition[key] as grpc.MethodDefinition<unknown, unknown> | undefined;
        if (!method) throw new Error(`writeMethods: ${key} is not a method of ${serviceNameOf(definition)}`);
        writeMethods.add(method.path);
      }
      served.push(serviceNameOf(definition));
      server.addService(
        definition,
        wrapImplementation(definition, implementation, { logger, metrics }, arrivesWith),
      );
    },
    onShutdown(hook) {
      hooks.push(hook);
    },
  });

  const health = new HealthImplementation(
    Object.fromEntries(['', ...served].map((s) => [s, 'SERVING' as const])),
  );
  health.addToServer(server);
  const descriptors = loadFileDescriptorSetFromBuffer(readFileSync(descriptorSetPath));
  new ReflectionService(descriptors, { services: served }).addToServer(server);

  const grpcPort = await bind(server, config.host, config.grpcPort, serverCredentials(config));
  // The kubelet's native gRPC probe speaks plaintext only, so with TLS on the probes need a port
  // of their own; it serves the same health statuses and nothing else.
  let healthServer: grpc.Server | undefined;
  let healthPort: number | undefined;
  if (config.healthPort !== undefined) {
    healthServer = new grpc.Server();
    health.addToServer(healthServer);
    try {
      healthPort = await bind(
        healthServer,
        config.host,
        config.healthPort,
        grpc.ServerCredentials.createInsecure(),
      );
    } catch (err) {
      server.forceShutdown();
      throw err;
    }
  }
  let http: HttpServer;
  try {
    http = await serveMetrics(metrics.registry, config.host, config.httpPort);
  } catch (err) {
    server.forceShutdown();
    healthServer?.forceShutdown();
    throw new Error(`cannot serve /metrics on ${config.host}:${config.httpPort}: ${(err as Error).message}`);
  }
  const httpPort = portOf(http);
  const address = `${config.host.includes(':') ? `[${config.host}]` : config.host}:${grpcPort}`;
  const transport = tls ? (tls.ca ? 'mutual-tls' : 'tls') : 'plaintext';
  logger.info(
    {
      grpc: address,
      metrics: `http://${config.host}:${httpPort}/metrics`,
      services: served,
      transport,
      auth: token === undefined ? 'off' : 'bearer-token',
    },
    'serving',
  );
  if (transport === 'plaintext' && !isLoopback(config.host))
    logger.warn(
      { host: config.host },
      'gRPC is plaintext on a non-loopback interface: set ATHANOR_TLS_CERT and ATHANOR_TLS_KEY (README, Security)',
    );

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      for (const s of ['', ...served]) health.setStatus(s, 'NOT_SERVING');
      await drain(server, config.shutdownGraceSeconds * 1000, logger);
      healthServer?.forceShutdown(); // after the drain, so probes saw NOT_SERVING throughout
      await closeServer(http);
      for (const hook of hooks.reverse()) {
        try {
          await hook();
        } catch (err) {
          logger.error({ err }, 'shutdown hook failed');
        }
      }
      await stopTracing();
      logger.info('stopped');
    })());

  return { name, grpcPort, httpPort, healthPort, address, logger, metrics, stop };
}

function bind(
  server: grpc.Server,
  host: string,
  port: number,
  credentials: grpc.ServerCredentials,
): Promise<number> {
  return new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, credentials, (err, bound) =>
      err ? reject(new Error(`cannot listen on ${host}:${port}: ${err.message}`)) : resolve(bound),
    ),
  );
}

/** tryShutdown lets in-flight calls finish; past the deadline, forceShutdown cancels them. */
function drain(server: grpc.Server, graceMs: number, logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      logger.warn({ graceMs }, 'in-flight calls did not finish in time; cancelling them');
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.');
}
