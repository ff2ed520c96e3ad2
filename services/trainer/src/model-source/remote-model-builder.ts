import {
  type ChannelCredentials,
  type ClientOptions,
  credentials,
  Metadata,
  type ServiceError,
} from '@grpc/grpc-js';
import { modelbuilder } from '@athanor/contracts';
import { fromArtifact } from '@athanor/models';
import type * as tf from '@tensorflow/tfjs';

/** Where a run's model comes from when it is not built in this process. */
export interface ModelSource {
  /** The model for a complete spec (input shape and classes filled in) and an InitSpec with its seed. */
  build(
    spec: modelbuilder.ModelSpec,
    init: modelbuilder.InitSpec,
    batchSize: number,
  ): Promise<tf.LayersModel>;
}

export interface RemoteModelBuilderOptions {
  readonly address: string;
  readonly credentials?: ChannelCredentials;
  readonly clientOptions?: ClientOptions;
  /** Deadline of one BuildModel call. Default 120 s (a large pretrained model takes a while). */
  readonly timeoutMs?: number;
}

/**
 * Models from the model-builder service (DESIGN.md: the trainer talks to model-builder): BuildModel
 * returns the initialised model as an artifact, which is loaded here. The run trains exactly what
 * model-builder built and diagnosed, and the call joins the run's trace.
 */
export class RemoteModelBuilder implements ModelSource {
  private readonly client: modelbuilder.ModelBuilderServiceClient;

  constructor(private readonly options: RemoteModelBuilderOptions) {
    this.client = new modelbuilder.ModelBuilderServiceClient(
      options.address,
      options.credentials ?? credentials.createInsecure(),
      options.clientOptions,
    );
  }

  async build(
    spec: modelbuilder.ModelSpec,
    init: modelbuilder.InitSpec,
    batchSize: number,
  ): Promise<tf.LayersModel> {
    const response = await new Promise<modelbuilder.BuildModelResponse>((resolve, reject) =>
      this.client.buildModel(
        modelbuilder.BuildModelRequest.fromPartial({ spec, init, batchSize }),
        new Metadata(),
        { deadline: Date.now() + (this.options.timeoutMs ?? 120_000) },
        (err: ServiceError | null, res) =>
          err
            ? reject(new Error(`model-builder at ${this.options.address}: ${err.details || err.message}`))
            : resolve(res),
      ),
    );
    if (!response.artifact) throw new Error(`model-builder at ${this.options.address} returned no artifact`);
    return fromArtifact(response.artifact);
  }

  close(): void {
    this.client.close();
  }
}
