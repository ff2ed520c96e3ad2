import { commonSchema, type ConfigOf } from '@athanor/service-kit';

/** Every ATHANOR_* variable the metrics service reads (the README's table is generated from it). */
export const configSchema = {
  ...commonSchema({ grpcPort: 50054, httpPort: 9464 }),
} as const;

export type MetricsConfig = ConfigOf<typeof configSchema>;
