import { metrics } from '@athanor/contracts';
import { describeService, packageVersion, type RunningService, startService } from '@athanor/service-kit';
import type { MetricsConfig } from './config';

/** Starts the metrics service; port 0 in the config picks free ports (tests). */
export function startMetrics(config: MetricsConfig): Promise<RunningService> {
  const startedAt = new Date();
  return startService({
    name: 'metrics',
    config,
    register(r) {
      r.add(
        metrics.MetricsServiceService,
        {
          getServiceInfo: () =>
            Promise.resolve({ info: describeService('metrics', packageVersion(__dirname), startedAt) }),
        },
        'issue 8 (metrics service)',
      );
    },
  });
}
