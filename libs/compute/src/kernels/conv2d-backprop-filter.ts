import {
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropFilterInputs,
  type KernelConfig,
  type TensorInfo,
  backend_util,
  Conv2DBackpropFilter,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type ConvGeometry, convGeometry } from './conv-geometry';
import { im2colTransposed } from './im2col';
import { transposed } from './transpose';
import { xnnConv } from './xnn-conv';
import { f32, release, reshaped } from './wasm-heap';
import { xnnMatMul } from './xnn-matmul';

/**
 * Stock wasm has no filter gradient (tfjs#8474). dW [fh, fw, ci, co] = patches(x)^T [K, P] x
 * dy [P, co]: the patches are gathered in JS straight on the heap, the product runs in XNNPACK.
 * With several threads and channels, a stride-1 one runs as a swapped convolution instead (below).
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
  if (g.strideHeight === 1 && g.strideWidth === 1 && g.inChannels >= 8 && poolThreads(backend) > 1) {
    return swappedConvFilterGrad(backend, x, dy, g);
  }
  const taps = g.filterHeight * g.filterWidth * g.inChannels;
  const positions = g.batch * g.outHeight * g.outWidth;
  // Channels first ([c, b, h, w]) so that im2col reads contiguously; one channel already is.
  const xT = g.inChannels === 1 ? x : transposed(backend, x, [3, 0, 1, 2]);
  const cols = backend.makeOutput([taps, positions], 'float32');
  im2colTransposed(f32(backend, xT), g, f32(backend, cols));
  if (xT !== x) release(backend, xT);
  const dw = xnnMatMul(backend, cols, dy, taps, positions, g.outChannels);
  release(backend, cols);
  return reshaped(dw, [...attrs.filterShape]);
}

/**
 * The same gradient as an XNNPACK convolution with the roles swapped: x as [ci, h, w, batch] (input
 * channels become the batch, the batch the channels) correlated with dy as an [oh, ow, batch, co]
 * filter gives [ci, fh, fw, co]. No JS im2col, and XNNPACK spreads it over its threads: with two,
 * ~22% faster for the reference CNN's second layer (interleaved A/B: 10.4 vs 13.3 ms); with one,
 * ~20% slower, and far slower for a single input channel, so only then.
 */
function swappedConvFilterGrad(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  g: ConvGeometry,
): TensorInfo {
  const xT = transposed(backend, x, [3, 1, 2, 0]);
  const dyT = transposed(backend, dy, [1, 2, 0, 3]);
  const bottom = g.filterHeight + g.outHeight - 1 - g.inHeight - g.padTop;
  const right = g.filterWidth + g.outWidth - 1 - g.inWidth - g.padLeft;
  const byChannel = xnnConv(backend, xT, dyT, [g.padTop, bottom, g.padLeft, right]);
  release(backend, xT);
  release(backend, dyT);
  const dw = transposed(backend, byChannel, [1, 2, 0, 3]);
  release(backend, byChannel);
  return dw;
}

/** XNNPACK's pool size in this backend. */
function poolThreads(backend: BackendWasm): number {
  return backend.wasm.tfjs.getThreadsCount();
}

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as KernelConfig['kernelFunc'],
};
