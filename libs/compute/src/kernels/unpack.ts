import {
  type KernelConfig,
  type TensorInfo,
  type UnpackAttrs,
  type UnpackInputs,
  Unpack,
  util,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runStockMulti } from './stock-kernels';
import { bytes } from './wasm-heap';

/**
 * Unstack along the first axis: each output is one contiguous block, copied with one `set`. Stock
 * wasm slices each output with a generic strided loop (~5 ms to split attention's q, k, v).
 */
function unpack(args: { inputs: UnpackInputs; backend: BackendWasm; attrs: UnpackAttrs }): TensorInfo[] {
  const { backend, attrs } = args;
  const value = args.inputs.value as TensorInfo;
  const axis = util.parseAxisParam(attrs.axis, value.shape)[0];
  if (axis !== 0 || value.dtype === 'string') return runStockMulti(Unpack, backend, { value }, { ...attrs });
  const count = value.shape[0];
  const shape = value.shape.slice(1);
  const outs = Array.from({ length: count }, () => backend.makeOutput(shape, value.dtype));
  const src = bytes(backend, value);
  const block = src.length / Math.max(count, 1);
  outs.forEach((out, i) => bytes(backend, out).set(src.subarray(i * block, (i + 1) * block)));
  return outs;
}

export const unpackConfig: KernelConfig = {
  kernelName: Unpack,
  backendName: 'wasm',
  kernelFunc: unpack as unknown as KernelConfig['kernelFunc'],
};
