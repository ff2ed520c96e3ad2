import { commonSchema, type ConfigOf } from '@athanor/service-kit';

/** Every ATHANOR_* variable the model-builder service reads (the README's table is generated from it). */
export const configSchema = {
  ...commonSchema({ grpcPort: 50051, httpPort: 9461 }),
} as const;

export type ModelBuilderConfig = ConfigOf<typeof configSchema>;
