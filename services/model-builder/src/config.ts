import { commonSchema, type ConfigOf, integer, seconds, text } from '@athanor/service-kit';

/** Every ATHANOR_* variable the model-builder service reads (the README's table is generated from it). */
export const configSchema = {
  ...commonSchema({ grpcPort: 50051, httpPort: 9461 }),
  maxParameters: integer(
    100_000_000,
    'Largest model (parameters) BuildModel and InspectInitialization allocate; larger specs get RESOURCE_EXHAUSTED.',
    1,
  ),
  maxTrainingMemoryMb: integer(
    8192,
    'Largest estimated training memory (MiB: 4 x parameter bytes + batch x activation bytes) a request may plan; larger get RESOURCE_EXHAUSTED.',
    1,
  ),
  maxMessageMb: integer(
    512,
    'Largest gRPC message in MiB, each way (BuildModel returns whole artifacts).',
    4,
    2047,
  ),
  requestTimeoutSeconds: seconds(
    120,
    'Deadline of every request, counted from its arrival (a shorter client deadline wins); DEADLINE_EXCEEDED after it.',
  ),
  maxInspectBatch: integer(1024, 'Largest sample batch of InspectInitialization.', 1),
  artifactRoot: text(
    undefined,
    'Directory that file paths of pretrained artifacts must lie in; unset allows any path (local use).',
  ),
} as const;

export type ModelBuilderConfig = ConfigOf<typeof configSchema>;
