import { trainer } from '@athanor/contracts';
import { describeService, packageVersion, type RunningService, startService } from '@athanor/service-kit';
import type { TrainerConfig } from './config';

/** Starts the trainer service; port 0 in the config picks free ports (tests). */
export function startTrainer(config: TrainerConfig): Promise<RunningService> {
  const startedAt = new Date();
  return startService({
    name: 'trainer',
    config,
    register(r) {
      r.add(
        trainer.TrainerServiceService,
        {
          getServiceInfo: () =>
            Promise.resolve({ info: describeService('trainer', packageVersion(__dirname), startedAt) }),
        },
        'issue 6 (trainer service)',
      );
    },
  });
}
