import { commonSchema, type ConfigOf } from '@athanor/service-kit';

/** Every ATHANOR_* variable the trainer service reads (the README's table is generated from it). */
export const configSchema = {
  ...commonSchema({ grpcPort: 50052, httpPort: 9462 }),
} as const;

export type TrainerConfig = ConfigOf<typeof configSchema>;
