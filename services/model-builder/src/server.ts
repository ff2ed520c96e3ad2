import { modelbuilder } from '@athanor/contracts';
import { describeService, packageVersion, type RunningService, startService } from '@athanor/service-kit';
import type { ModelBuilderConfig } from './config';

/** Starts the model-builder service; port 0 in the config picks free ports (tests). */
export function startModelBuilder(config: ModelBuilderConfig): Promise<RunningService> {
  const startedAt = new Date();
  return startService({
    name: 'model-builder',
    config,
    register(r) {
      r.add(
        modelbuilder.ModelBuilderServiceService,
        {
          getServiceInfo: () =>
            Promise.resolve({ info: describeService('model-builder', packageVersion(__dirname), startedAt) }),
        },
        'issue 5 (model-builder service)',
      );
    },
  });
}
