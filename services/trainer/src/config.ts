import { availableParallelism } from 'node:os';
import { address, commonSchema, type ConfigOf, integer, text } from '@athanor/service-kit';

/** Every ATHANOR_* variable the trainer service reads (the README's table is generated from it). */
export const configSchema = {
  ...commonSchema({ grpcPort: 50052, httpPort: 9462 }),
  maxConcurrentRuns: {
    ...integer(
      0,
      'Runs trained at once; 0 means one per CPU core (one on the GPU backend: one GPU per pod).',
      0,
      1024,
    ),
    shown: '0 (one per CPU core)',
  },
  maxQueuedRuns: integer(
    1000,
    'Runs waiting for a slot before StartRun answers RESOURCE_EXHAUSTED.',
    0,
    1_000_000,
  ),
  maxRunsPerClient: integer(
    0,
    "Runs (queued or training) one client may have at once; past it StartRun answers RESOURCE_EXHAUSTED. A client is the caller's address; 0 means no limit.",
    0,
    1_000_000,
  ),
  checkpointDir: text(
    '.athanor/checkpoints',
    'Directory of run checkpoints (one subdirectory per run); relative paths are from the working directory.',
  ),
  dataDir: text(
    '.athanor/data',
    'Data root: file datasets and the built-in datasets’ binary cache live under it.',
  ),
  metricsAddr: address(
    undefined,
    'Metrics service (host:port) the trainer streams step metrics to; unset: no reporting.',
  ),
  modelBuilderAddr: address(
    undefined,
    'Model-builder service (host:port); when set the trainer gets each run’s model from it (BuildModel) instead of building it in process.',
  ),
  tunerAddr: address(
    undefined,
    'Tuner service (host:port); when set the trainer is also a worker that pulls trials.',
  ),
  workerStudy: text(undefined, 'Worker mode: the study to pull trials from; unset: any running study.'),
  workerId: text(
    undefined,
    'Worker mode: this worker’s id (leases are bound to it); default POD_NAME or host-pid.',
  ),
} as const;

export type TrainerConfig = ConfigOf<typeof configSchema>;

/**
 * The concurrency limit a config means: 0 resolves to one run per GPU on the GPU backend (a pod has
 * one GPU in the deployment) and one per CPU core otherwise.
 */
export function concurrencyOf(config: Pick<TrainerConfig, 'maxConcurrentRuns'>, backend = 'cpu'): number {
  if (config.maxConcurrentRuns > 0) return config.maxConcurrentRuns;
  return backend === 'tfjs-node-gpu' ? 1 : Math.max(1, availableParallelism());
}
