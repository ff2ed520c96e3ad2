import { modelbuilder } from '@athanor/contracts';
import {
  computeFans,
  constant,
  type FanOptions,
  type HostTensor,
  kaimingNormal,
  kaimingUniform,
  type Nonlinearity,
  normal,
  ones,
  orthogonal,
  type Rng,
  truncatedNormal,
  uniform,
  xavierNormal,
  xavierUniform,
  zeros,
} from '@athanor/training-core';

const { FanMode, Nonlinearity: NL } = modelbuilder;

/** How to draw one weight: its layout for the fans, and what "PyTorch default" means for it. */
export interface DrawContext {
  readonly shape: readonly number[];
  readonly fans: FanOptions;
  /** Gates of a recurrent kernel (orthogonal draws one block per gate). */
  readonly gates?: number;
  readonly rng: Rng;
  /** PyTorch's default for this weight of this layer kind. */
  readonly pytorchDefault: () => HostTensor;
}

const NONLINEARITIES: Record<number, Nonlinearity> = {
  [NL.NONLINEARITY_UNSPECIFIED]: 'leaky_relu',
  [NL.NONLINEARITY_LINEAR]: 'linear',
  [NL.NONLINEARITY_CONV]: 'conv2d',
  [NL.NONLINEARITY_SIGMOID]: 'sigmoid',
  [NL.NONLINEARITY_TANH]: 'tanh',
  [NL.NONLINEARITY_RELU]: 'relu',
  [NL.NONLINEARITY_LEAKY_RELU]: 'leaky_relu',
  [NL.NONLINEARITY_SELU]: 'selu',
};

/**
 * Values for one weight from an Initializer of the InitSpec (the training-core function of the same
 * torch.nn.init name); unset means PyTorch's default for the weight. Throws training-core's
 * ValidationError (field names like `std`) for bad parameters.
 */
export function drawInitializer(init: modelbuilder.Initializer | undefined, c: DrawContext): HostTensor {
  const kind = init?.kind;
  const random = c.rng;
  const fanOptions = c.fans;
  switch (kind?.$case) {
    case undefined:
    case 'pytorchDefault':
      return c.pytorchDefault();
    case 'xavierUniform':
      return xavierUniform(c.shape, { random, ...fanOptions, gain: kind.value.gain ?? 1 });
    case 'xavierNormal':
      return xavierNormal(c.shape, { random, ...fanOptions, gain: kind.value.gain ?? 1 });
    case 'kaimingUniform':
    case 'kaimingNormal': {
      const k = kind.value;
      const nonlinearity = NONLINEARITIES[k.nonlinearity];
      if (nonlinearity === undefined) throw new RangeError(`unknown nonlinearity ${String(k.nonlinearity)}`);
      const options = {
        random,
        ...fanOptions,
        a: k.a ?? 0,
        mode: k.mode === FanMode.FAN_MODE_FAN_OUT ? ('fan_out' as const) : ('fan_in' as const),
        nonlinearity,
      };
      return kind.$case === 'kaimingUniform'
        ? kaimingUniform(c.shape, options)
        : kaimingNormal(c.shape, options);
    }
    case 'orthogonal':
      return orthogonal(c.shape, {
        random,
        gain: kind.value.gain ?? 1,
        ...(c.gates ? { gates: c.gates } : {}),
      });
    case 'truncatedNormal': {
      const t = kind.value;
      return truncatedNormal(c.shape, {
        random,
        mean: t.mean ?? 0,
        std: t.std ?? 1,
        a: t.a ?? -2,
        b: t.b ?? 2,
      });
    }
    case 'normal':
      return normal(c.shape, { random, mean: kind.value.mean ?? 0, std: kind.value.std ?? 1 });
    case 'uniform':
      return uniform(c.shape, { random, low: kind.value.a ?? 0, high: kind.value.b ?? 1 });
    case 'zeros':
      return zeros(c.shape);
    case 'ones':
      return ones(c.shape);
    case 'constant':
      return constant(c.shape, kind.value.value);
  }
}

/** fan_in of a kernel under a layout (for PyTorch's default bias bound). */
export function fanInOf(shape: readonly number[], fans: FanOptions): number {
  return computeFans(shape, fans).fanIn;
}
