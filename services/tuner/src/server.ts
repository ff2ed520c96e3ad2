import { tuner } from '@athanor/contracts';
import { describeService, packageVersion, type RunningService, startService } from '@athanor/service-kit';
import type { TunerConfig } from './config';

/** Starts the tuner service; port 0 in the config picks free ports (tests). */
export function startTuner(config: TunerConfig): Promise<RunningService> {
  const startedAt = new Date();
  return startService({
    name: 'tuner',
    config,
    register(r) {
      r.add(
        tuner.TunerServiceService,
        {
          getServiceInfo: () =>
            Promise.resolve({ info: describeService('tuner', packageVersion(__dirname), startedAt) }),
        },
        'issue 7 (tuner service)',
      );
    },
  });
}
