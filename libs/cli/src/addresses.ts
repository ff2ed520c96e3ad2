/** The four services, their default loopback ports and the variable that overrides each address. */
export const SERVICES = [
  { name: 'model-builder', grpcPort: 50051, httpPort: 9461, env: 'ATHANOR_MODEL_BUILDER_ADDR' },
  { name: 'trainer', grpcPort: 50052, httpPort: 9462, env: 'ATHANOR_TRAINER_ADDR' },
  { name: 'tuner', grpcPort: 50053, httpPort: 9463, env: 'ATHANOR_TUNER_ADDR' },
  { name: 'metrics', grpcPort: 50054, httpPort: 9464, env: 'ATHANOR_METRICS_ADDR' },
] as const;

export type ServiceName = (typeof SERVICES)[number]['name'];

/** Where the CLI finds `service`: its ATHANOR_*_ADDR variable, else the embedded default. */
export function addressOf(service: ServiceName, env: NodeJS.ProcessEnv = process.env): string {
  const s = SERVICES.find((x) => x.name === service)!;
  return env[s.env]?.trim() || `127.0.0.1:${s.grpcPort}`;
}
