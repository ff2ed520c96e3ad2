import {
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropFilterInputs,
  type KernelConfig,
  type TensorInfo,
  backend_util,
  Conv2DBackpropFilter,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { convGeometry } from './conv-geometry';
import { im2colTransposed } from './im2col';
import { f32, release, reshaped } from './wasm-heap';
import { xnnMatMul } from './xnn-matmul';

/**
 * Stock wasm has no filter gradient (tfjs#8474). dW [fh, fw, ci, co] = patches(x)^T [K, P] x
 * dy [P, co]: the patches are gathered in JS straight on the heap, the product runs in XNNPACK.
 * (Measured and rejected: the same gradient as an XNNPACK convolution with batch and channels
 * swapped, x [ci, h, w, n] against dy as an [oh, ow, n, co] filter: 15-17 ms vs 10-13 ms for the
 * reference CNN's layers; XNNPACK is slow with a 14x14 or 28x28 kernel.)
 */
function conv2dBackpropFilter(args: {
  inputs: Conv2DBackpropFilterInputs;
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { backend, attrs } = args;
  const x = args.inputs.x as TensorInfo;
  const dy = args.inputs.dy as TensorInfo;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
  const g = convGeometry(info);
  const taps = g.filterHeight * g.filterWidth * g.inChannels;
  const positions = g.batch * g.outHeight * g.outWidth;
  const cols = backend.makeOutput([taps, positions], 'float32');
  im2colTransposed(f32(backend, x), g, f32(backend, cols));
  const dw = xnnMatMul(backend, cols, dy, taps, positions, g.outChannels);
  release(backend, cols);
  return reshaped(dw, [...attrs.filterShape]);
}

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as KernelConfig['kernelFunc'],
};
