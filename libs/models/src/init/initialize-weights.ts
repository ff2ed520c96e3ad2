import type { modelbuilder } from '@athanor/contracts';
import {
  type FanOptions,
  type HostTensor,
  normal,
  ones,
  pytorchDefaultBias,
  pytorchDefaultKernel,
  pytorchDefaultRecurrent,
  Rng,
  xavierUniform,
  zeros,
} from '@athanor/training-core';
import * as tf from '@tensorflow/tfjs';
import { drawInitializer, fanInOf } from './draw-initializer';
import { globMatch } from '@athanor/training-core';

type Slot = 'conv' | 'dense' | 'recurrent' | 'recurrentState' | 'embedding' | 'norm' | 'bias' | 'fixed';

interface WeightRole {
  /** Which InitSpec slot initialises it. */
  readonly slot: Slot;
  /** The kernel's fans layout (kernels), or the fan_in a PyTorch default bias uses. */
  readonly fans: FanOptions;
  readonly gates?: number;
  /** Draw on the transposed shape: PyTorch's fans of an embedding [num, dim] are fan_in = dim. */
  readonly transposed?: boolean;
  /** Whether a LayerInitOverride's `weight` (kernels, embeddings) or `bias` applies. */
  readonly overrideAs: 'weight' | 'bias' | 'none';
  readonly pytorchDefault: (shape: readonly number[], rng: Rng) => HostTensor;
}

const DENSE: FanOptions = { layout: 'dense' };
const CONV: FanOptions = { layout: 'conv' };

/**
 * Sets every weight of `model` from `init`, seeded: one generator from `seed`, forked once per weight
 * in the model's layer order, so the same spec, init and seed give bit-identical weights. Unset
 * initializers mean PyTorch's default for the layer kind (see `roleOf`).
 */
export function initializeWeights(
  model: tf.LayersModel,
  init: modelbuilder.InitSpec | undefined,
  seed: number,
): void {
  const rng = new Rng(seed);
  const overrides = init?.overrides ?? [];
  for (const layer of model.layers) {
    const className = layer.getClassName();
    const override = overrides.find((o) => globMatch(o.layerPattern, layer.name));
    const kernels = new Map<string, readonly number[]>();
    for (const variable of layer.weights) {
      const short = variable.originalName.split('/').pop()!;
      const shape = variable.shape as number[];
      const role = roleOf(className, short, layer, shape, kernels);
      if (role.overrideAs === 'weight') kernels.set(prefixOf(variable.originalName), shape);
      const chosen =
        role.overrideAs === 'weight' && override?.weight
          ? override.weight
          : role.overrideAs === 'bias' && override?.bias
            ? override.bias
            : role.slot === 'fixed'
              ? undefined
              : slotInitializer(init, role.slot);
      const weightRng = rng.fork();
      const values =
        role.slot === 'fixed'
          ? role.pytorchDefault(shape, weightRng)
          : drawInitializer(chosen, {
              shape: role.transposed ? [...shape].reverse() : shape,
              fans: role.fans,
              ...(role.gates ? { gates: role.gates } : {}),
              rng: weightRng,
              pytorchDefault: () => role.pytorchDefault(shape, weightRng),
            });
      const tensor = tf.tensor(values.values, shape, 'float32');
      variable.write(tensor);
      tensor.dispose();
    }
  }
}

function slotInitializer(
  init: modelbuilder.InitSpec | undefined,
  slot: Exclude<Slot, 'fixed'>,
): modelbuilder.Initializer | undefined {
  if (!init) return undefined;
  if (slot === 'recurrentState') return init.recurrentState ?? init.recurrent;
  return init[slot];
}

// "rnn0/forward_rnn0_lstm/kernel" -> "rnn0/forward_rnn0_lstm": pairs a bias with its kernel.
function prefixOf(name: string): string {
  return name.slice(0, name.lastIndexOf('/'));
}

/**
 * What a weight is and PyTorch's default for it: Linear/Conv kernels kaiming_uniform(a = sqrt 5),
 * their biases U(+-1/sqrt(fan_in)); LSTM/GRU everything U(+-1/sqrt(hidden)); embeddings N(0, 1);
 * norm scale 1, offset 0; attention in-projection xavier_uniform with zero biases (nn.MultiheadAttention);
 * learned positions and [CLS] zeros (as the reference Transformer's nn.Parameter(zeros)).
 */
function roleOf(
  className: string,
  short: string,
  layer: tf.layers.Layer,
  shape: readonly number[],
  kernels: ReadonlyMap<string, readonly number[]>,
): WeightRole {
  const fixed = (f: (s: readonly number[]) => HostTensor): WeightRole => ({
    slot: 'fixed',
    fans: DENSE,
    overrideAs: 'none',
    pytorchDefault: (s) => f(s),
  });
  const kernelFan = (fans: FanOptions): number => {
    const kernel = [...kernels.values()].pop();
    return kernel ? fanInOf(kernel, fans) : 0;
  };
  switch (className) {
    case 'Conv2D':
    case 'Dense': {
      const fans = className === 'Conv2D' ? CONV : DENSE;
      const slot = className === 'Conv2D' ? 'conv' : 'dense';
      if (short === 'kernel') {
        return {
          slot,
          fans,
          overrideAs: 'weight',
          pytorchDefault: (s, rng) => pytorchDefaultKernel(s, { random: rng, ...fans }),
        };
      }
      return {
        slot: 'bias',
        fans,
        overrideAs: 'bias',
        pytorchDefault: (s, rng) => pytorchDefaultBias(s, kernelFan(fans), { random: rng }),
      };
    }
    case 'LSTM':
    case 'GRU':
    case 'Bidirectional': {
      const units = recurrentUnits(layer);
      const gates = shape[shape.length - 1] / units;
      const recurrentDefault = (s: readonly number[], rng: Rng) =>
        pytorchDefaultRecurrent(s, units, { random: rng });
      if (short === 'kernel')
        return {
          slot: 'recurrent',
          fans: { layout: 'recurrent', gates },
          gates,
          overrideAs: 'weight',
          pytorchDefault: recurrentDefault,
        };
      if (short === 'recurrent_kernel') {
        return {
          slot: 'recurrentState',
          fans: { layout: 'recurrent', gates },
          gates,
          overrideAs: 'weight',
          pytorchDefault: recurrentDefault,
        };
      }
      return { slot: 'bias', fans: DENSE, overrideAs: 'bias', pytorchDefault: recurrentDefault };
    }
    case 'Embedding':
      return {
        slot: 'embedding',
        fans: DENSE,
        transposed: true,
        overrideAs: 'weight',
        pytorchDefault: (s, rng) => normal(s, { random: rng }),
      };
    case 'ClassToken':
      return fixed(zeros);
    case 'AthanorPositionEmbedding':
      return {
        slot: 'embedding',
        fans: DENSE,
        transposed: true,
        overrideAs: 'weight',
        pytorchDefault: (s) => zeros(s),
      };
    case 'MultiHeadSelfAttention':
      if (short === 'in_kernel') {
        return {
          slot: 'dense',
          fans: DENSE,
          overrideAs: 'weight',
          pytorchDefault: (s, rng) => xavierUniform(s, { random: rng, ...DENSE }),
        };
      }
      if (short === 'out_kernel') {
        return {
          slot: 'dense',
          fans: DENSE,
          overrideAs: 'weight',
          pytorchDefault: (s, rng) => pytorchDefaultKernel(s, { random: rng, ...DENSE }),
        };
      }
      return { slot: 'bias', fans: DENSE, overrideAs: 'bias', pytorchDefault: (s) => zeros(s) };
    case 'BatchNormalization':
    case 'LayerNormalization':
    case 'GroupNormalization':
      if (short === 'gamma')
        return { slot: 'norm', fans: DENSE, overrideAs: 'none', pytorchDefault: (s) => ones(s) };
      if (short === 'moving_variance') return fixed(ones);
      return fixed(zeros);
    default:
      return fixed(zeros);
  }
}

function recurrentUnits(layer: tf.layers.Layer): number {
  const config = layer.getConfig() as { units?: number; layer?: { config?: { units?: number } } };
  return config.units ?? config.layer?.config?.units ?? 1;
}
