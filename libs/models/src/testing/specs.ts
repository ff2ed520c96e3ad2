import { modelbuilder } from '@athanor/contracts';

/** ModelSpecs of the four reference models of ../shared/reference/torch_bench.py, in proto3 JSON. */
export const REFERENCE_SPECS: Record<string, unknown> = {
  'reference-cnn': {
    name: 'reference-cnn',
    inputShape: [28, 28, 1],
    numClasses: 10,
    cnn: {
      stages: [
        { block: { channels: 16, bias: false, pooling: { kind: 'POOLING_KIND_MAX' } } },
        { block: { channels: 32, bias: true, pooling: { kind: 'POOLING_KIND_MAX' } } },
      ],
      globalAveragePool: false,
    },
  },
  'reference-mlp': {
    name: 'reference-mlp',
    inputShape: [28, 28, 1],
    numClasses: 10,
    mlp: { depth: 2, width: 256 },
  },
  'reference-lstm': {
    name: 'reference-lstm',
    inputShape: [28, 28],
    numClasses: 10,
    rnn: { cell: 'RNN_CELL_LSTM', units: 64, layerNorm: true },
  },
  'reference-transformer': {
    name: 'reference-transformer',
    inputShape: [28, 28],
    numClasses: 10,
    transformer: {
      inputProjection: {},
      numLayers: 2,
      dModel: 64,
      numHeads: 4,
      ffDim: 128,
      ffActivation: 'ACTIVATION_RELU',
      normPlacement: 'NORM_PLACEMENT_POST',
      dropout: 0,
      finalNorm: true,
    },
  },
};

/** A ModelSpec from its proto3 JSON form (what the CLI and YAML files hold). */
export function specFromJson(json: unknown): modelbuilder.ModelSpec {
  return modelbuilder.ModelSpec.fromJSON(json);
}

/** An InitSpec from its proto3 JSON form. */
export function initFromJson(json: unknown): modelbuilder.InitSpec {
  return modelbuilder.InitSpec.fromJSON(json);
}
