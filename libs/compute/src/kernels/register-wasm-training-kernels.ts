import { type KernelConfig, getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs';
import { avgPoolGradConfig } from './avg-pool-grad';
import { batchMatMulConfig } from './batch-mat-mul';
import { addConfig, multiplyConfig, realDivConfig, subConfig } from './broadcast-binary';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input';
import { depthwiseBackpropFilterConfig } from './depthwise-backprop-filter';
import { depthwiseBackpropInputConfig } from './depthwise-backprop-input';
import { fusedBatchNormConfig } from './fused-batch-norm';
import { identityConfig } from './identity';
import { maxPoolGradConfig } from './max-pool-grad';
import { meanConfig, sumConfig } from './reduce-leading-axes';
import { captureStockKernel } from './stock-kernels';
import { tileConfig } from './tile';
import { transposeConfig } from './transpose';
import { unpackConfig } from './unpack';

/** The kernels Athanor supplies for the wasm backend: missing from it, or faster than its own. */
export const WASM_TRAINING_KERNELS: readonly KernelConfig[] = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  maxPoolGradConfig,
  avgPoolGradConfig,
  tileConfig,
  batchMatMulConfig,
  transposeConfig,
  sumConfig,
  meanConfig,
  addConfig,
  subConfig,
  multiplyConfig,
  realDivConfig,
  unpackConfig,
  identityConfig,
  fusedBatchNormConfig,
];

/**
 * Registers the training kernels for `wasm`, replacing stock ones (kept callable, see
 * stock-kernels.ts). Call after `@tensorflow/tfjs-backend-wasm` is imported (it registers its own
 * at import) and before the backend initialises; repeated calls are no-ops.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of WASM_TRAINING_KERNELS) {
    const current = getKernel(config.kernelName, 'wasm');
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current === undefined) {
      registerKernel(config);
      continue;
    }
    captureStockKernel(config.kernelName);
    unregisterKernel(config.kernelName, 'wasm');
    // Other stock kernels call the replaced one's module function directly (Sum calls transpose),
    // and that function only works once its setupFunc has bound the C++ entry point.
    const stockSetup = current.setupFunc;
    registerKernel(stockSetup === undefined ? config : { ...config, setupFunc: stockSetup });
  }
}
