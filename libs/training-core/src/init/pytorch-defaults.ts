import { check } from '../errors';
import { computeFans, type FanOptions } from './fans';
import { zeros } from './basic';
import type { HostTensor } from './host-tensor';
import { kaimingUniform } from './kaiming';
import { sampleUniform, type RandomOptions } from './sample';

export interface DefaultKernelOptions extends RandomOptions, FanOptions {}

/**
 * PyTorch's default weight init for Linear and Conv layers (`reset_parameters`):
 * kaiming_uniform with a = sqrt(5), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
 */
export function pytorchDefaultKernel(shape: readonly number[], options: DefaultKernelOptions): HostTensor {
  return kaimingUniform(shape, { ...options, a: Math.sqrt(5), mode: 'fan_in', nonlinearity: 'leaky_relu' });
}

/**
 * PyTorch's default bias init for Linear and Conv layers: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with
 * the fan_in of the layer's kernel (see `computeFans`); zeros when fan_in is 0, as PyTorch skips it.
 */
export function pytorchDefaultBias(
  shape: readonly number[],
  fanIn: number,
  options: RandomOptions,
): HostTensor {
  check(Number.isInteger(fanIn) && fanIn >= 0, 'fanIn', `must be a non-negative integer, got ${fanIn}`);
  if (fanIn === 0) return zeros(shape);
  const bound = 1 / Math.sqrt(fanIn);
  return sampleUniform(shape, -bound, bound, options.random);
}

/** Kernel and bias of a Linear/Conv layer initialised as PyTorch would, from one generator. */
export function pytorchDefaultLayer(
  kernelShape: readonly number[],
  biasShape: readonly number[] | null,
  options: DefaultKernelOptions,
): { kernel: HostTensor; bias: HostTensor | null } {
  const kernel = pytorchDefaultKernel(kernelShape, options);
  const bias =
    biasShape === null
      ? null
      : pytorchDefaultBias(biasShape, computeFans(kernelShape, options).fanIn, options);
  return { kernel, bias };
}

/**
 * PyTorch's default for RNN, LSTM and GRU (`RNNBase.reset_parameters`): every weight and bias
 * U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), independent of the fans.
 */
export function pytorchDefaultRecurrent(
  shape: readonly number[],
  hiddenSize: number,
  options: RandomOptions,
): HostTensor {
  check(
    Number.isInteger(hiddenSize) && hiddenSize > 0,
    'hiddenSize',
    `must be a positive integer, got ${hiddenSize}`,
  );
  const bound = 1 / Math.sqrt(hiddenSize);
  return sampleUniform(shape, -bound, bound, options.random);
}
