import { initCompute } from '@athanor/compute';
import { modelbuilder } from '@athanor/contracts';
import { describeService, packageVersion, type RunningService, startService } from '@athanor/service-kit';
import type { ModelBuilderConfig } from './config';
import { ModelBuilderHandlers } from './model-builder-handlers';

/**
 * Starts the model-builder service; port 0 in the config picks free ports (tests). The compute backend
 * is chosen first (ATHANOR_BACKEND from `env`), so every model is built on it.
 */
export async function startModelBuilder(
  config: ModelBuilderConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningService> {
  const startedAt = new Date();
  const compute = await initCompute(env);
  const handlers = new ModelBuilderHandlers(config);
  const maxBytes = config.maxMessageMb * 2 ** 20;
  return startService({
    name: 'model-builder',
    config,
    // Artifacts of large models exceed gRPC's default 4 MiB.
    serverOptions: { 'grpc.max_receive_message_length': maxBytes, 'grpc.max_send_message_length': maxBytes },
    register(r) {
      r.add(
        modelbuilder.ModelBuilderServiceService,
        {
          validateModel: (req) => handlers.validateModel(req),
          buildModel: (req, call) => handlers.buildModel(req, call),
          inspectInitialization: (req, call) => handlers.inspectInitialization(req, call),
          getServiceInfo: () =>
            Promise.resolve({
              info: describeService('model-builder', packageVersion(__dirname), startedAt, {
                backend: compute.backend,
                device: compute.backend === 'tfjs-node-gpu' ? 'gpu' : 'cpu',
                tried: compute.tried.map((t) => ({ backend: t.name, selected: t.ok, reason: t.reason })),
              }),
            }),
        },
        'issue 5 (model-builder service)',
      );
    },
  });
}
