export type { HostTensor } from './host-tensor';
export { toTensor } from './host-tensor';
export type { RandomOptions, RandomSource } from './sample';
export { calculateGain } from './gain';
export type { Nonlinearity } from './gain';
export { computeFans } from './fans';
export type { FanLayout, FanOptions, Fans } from './fans';
export { constant, normal, ones, uniform, zeros } from './basic';
export type { NormalOptions, UniformOptions } from './basic';
export { xavierNormal, xavierUniform } from './xavier';
export type { XavierOptions } from './xavier';
export { kaimingNormal, kaimingStd, kaimingUniform } from './kaiming';
export type { KaimingOptions } from './kaiming';
export { orthogonal } from './orthogonal';
export type { OrthogonalOptions } from './orthogonal';
export { truncatedNormal } from './truncated-normal';
export type { TruncatedNormalOptions } from './truncated-normal';
export {
  pytorchDefaultBias,
  pytorchDefaultKernel,
  pytorchDefaultLayer,
  pytorchDefaultRecurrent,
} from './pytorch-defaults';
export type { DefaultKernelOptions } from './pytorch-defaults';
