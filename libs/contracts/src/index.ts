// Public surface of @athanor/contracts: one namespace per proto package (each merges all files of the
// package), so equal message names in different packages (e.g. GetServiceInfoRequest) never clash.
//
//   import { trainer, training } from '@athanor/contracts';
//   const client = new trainer.TrainerServiceClient(address, credentials.createInsecure());
//   server.addService(trainer.TrainerServiceService, implementation);
//   const spec: training.SchedulerSpec = training.SchedulerSpec.fromJSON(json);
//
// Everything under ./gen is generated from proto/ by tools/generate-contracts.mjs; never edit it.
import { join } from 'node:path';

export * as common from './gen/index.athanor.common.v1';
export * as training from './gen/index.athanor.training.v1';
export * as modelbuilder from './gen/index.athanor.modelbuilder.v1';
export * as trainer from './gen/index.athanor.trainer.v1';
export * as tuner from './gen/index.athanor.tuner.v1';
export * as metrics from './gen/index.athanor.metrics.v1';
/** google.rpc.Status and google.rpc.BadRequest (the INVALID_ARGUMENT details). */
export * as rpc from './gen/index.google.rpc';
/** Well-known types used by the contracts (Timestamp, Duration, Any). */
export * as protobuf from './gen/index.google.protobuf';

export {
  BAD_REQUEST_TYPE_URL,
  STATUS_DETAILS_METADATA_KEY,
  decodeBadRequest,
  encodeBadRequestStatus,
  type FieldViolationInput,
} from './status-details';

/**
 * Absolute path of the binary google.protobuf.FileDescriptorSet of every Athanor proto file and its
 * imports (for server reflection: `loadFileDescriptorSetFromBuffer(readFileSync(descriptorSetPath))`).
 */
export const descriptorSetPath: string = join(__dirname, '..', 'descriptors.binpb');

/** Fully qualified names of the four services (health checking, reflection, logs). */
export const serviceNames = {
  modelBuilder: 'athanor.modelbuilder.v1.ModelBuilderService',
  trainer: 'athanor.trainer.v1.TrainerService',
  tuner: 'athanor.tuner.v1.TunerService',
  metrics: 'athanor.metrics.v1.MetricsService',
} as const;
