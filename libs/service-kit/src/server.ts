import { readFileSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import { descriptorSetPath } from '@athanor/contracts';
import * as grpc from '@grpc/grpc-js';
import { loadFileDescriptorSetFromBuffer } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import { type AsyncImplementation, serviceNameOf, wrapImplementation } from './handlers';
import { createLogger, type Logger } from './logger';
import { closeServer, portOf, serveMetrics } from './metrics-http';
import { createServiceMetrics, type ServiceMetrics } from './metrics-registry';
import { stopTracing } from './tracing';

/** The part of a service's config the kit reads (see commonSchema). */
export interface ServerConfig {
  readonly host: string;
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly logLevel: string;
  readonly shutdownGraceSeconds: number;
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
  ): void;
  /** Runs during shutdown after the gRPC server stopped (e.g. dispose models, close databases). */
  onShutdown(hook: () => Promise<void> | void): void;
}

export interface RunningService {
  readonly name: string;
  readonly grpcPort: number;
  readonly httpPort: number;
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
  const server = new grpc.Server(options.serverOptions);
  const served: string[] = [];
  const hooks: (() => Promise<void> | void)[] = [];

  await options.register({
    logger,
    metrics,
    add(definition, implementation, arrivesWith = 'a later version') {
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

  const grpcPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      `${config.host}:${config.grpcPort}`,
      grpc.ServerCredentials.createInsecure(),
      (err, port) =>
        err
          ? reject(new Error(`cannot listen on ${config.host}:${config.grpcPort}: ${err.message}`))
          : resolve(port),
    ),
  );
  let http: HttpServer;
  try {
    http = await serveMetrics(metrics.registry, config.host, config.httpPort);
  } catch (err) {
    server.forceShutdown();
    throw new Error(`cannot serve /metrics on ${config.host}:${config.httpPort}: ${(err as Error).message}`);
  }
  const httpPort = portOf(http);
  const address = `${config.host.includes(':') ? `[${config.host}]` : config.host}:${grpcPort}`;
  logger.info(
    { grpc: address, metrics: `http://${config.host}:${httpPort}/metrics`, services: served },
    'serving',
  );

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      for (const s of ['', ...served]) health.setStatus(s, 'NOT_SERVING');
      await drain(server, config.shutdownGraceSeconds * 1000, logger);
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

  return { name, grpcPort, httpPort, address, logger, metrics, stop };
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
