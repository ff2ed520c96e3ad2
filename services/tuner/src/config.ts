import { commonSchema, type ConfigOf } from '@athanor/service-kit';

/** Every ATHANOR_* variable the tuner service reads (the README's table is generated from it). */
export const configSchema = {
  ...commonSchema({ grpcPort: 50053, httpPort: 9463 }),
} as const;

export type TunerConfig = ConfigOf<typeof configSchema>;
