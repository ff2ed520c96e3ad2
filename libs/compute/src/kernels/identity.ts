import { type IdentityInputs, type KernelConfig, type TensorInfo, Identity } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runStock } from './stock-kernels';

/**
 * Identity (tf.clone, and the gradient of every reshape-like op) shares the data, as the cpu
 * backend does: tensors are immutable. Stock wasm copies it, ten times per CNN step at 3 MB each.
 */
function identity(args: { inputs: IdentityInputs; backend: BackendWasm }): TensorInfo {
  const { backend } = args;
  const x = args.inputs.x as TensorInfo;
  if (x.dtype === 'string') return runStock(Identity, backend, { x });
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

export const identityConfig: KernelConfig = {
  kernelName: Identity,
  backendName: 'wasm',
  kernelFunc: identity as unknown as KernelConfig['kernelFunc'],
};
