import {
  type Conv2DBackpropInputAttrs,
  type Conv2DBackpropInputInputs,
  type KernelConfig,
  type TensorInfo,
  backend_util,
  Conv2DBackpropInput,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { convGeometry } from './conv-geometry';
import { col2imAdd } from './im2col';
import { f32, release, zeros } from './wasm-heap';
import { xnnConv } from './xnn-conv';
import { transpose2d, xnnMatMul } from './xnn-matmul';

/**
 * The input gradient of a stride-1 convolution is itself a convolution: dy, padded by
 * (filter - 1 - pad), correlated with the filter rotated 180 degrees and its channel axes swapped.
 * That runs in XNNPACK's convolution. Strided ones take dx = col2im(dy [P, co] x W^T [co, K]): the
 * product in XNNPACK, the scatter-add in JS. Stock wasm uses a scalar loop, the top cost of a CNN step.
 */
function conv2dBackpropInput(args: {
  inputs: Conv2DBackpropInputInputs;
  backend: BackendWasm;
  attrs: Conv2DBackpropInputAttrs;
}): TensorInfo {
  const { backend, attrs } = args;
  const dy = args.inputs.dy as TensorInfo;
  const filter = args.inputs.filter as TensorInfo;
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
  const g = convGeometry(info);
  // XNNPACK's convolution wastes most of its tile on a single output channel (a grayscale first
  // layer): there the product + one-channel col2im is ~2x faster (interleaved A/B, same process).
  if (g.strideHeight === 1 && g.strideWidth === 1 && g.inChannels > 1) {
    const top = g.filterHeight - 1 - g.padTop;
    const left = g.filterWidth - 1 - g.padLeft;
    const pads = [
      top,
      g.inHeight - g.outHeight + g.filterHeight - 1 - top,
      left,
      g.inWidth - g.outWidth + g.filterWidth - 1 - left,
    ] as const;
    if (pads.every((p) => p >= 0)) {
      const rotated = rotatedFilter(
        backend,
        filter,
        g.filterHeight,
        g.filterWidth,
        g.inChannels,
        g.outChannels,
      );
      const dx = xnnConv(backend, dy, rotated, pads);
      release(backend, rotated);
      return dx;
    }
  }
  const taps = g.filterHeight * g.filterWidth * g.inChannels;
  const positions = g.batch * g.outHeight * g.outWidth;
  const filterT = transpose2d(backend, filter, taps, g.outChannels);
  const cols = xnnMatMul(backend, dy, filterT, positions, g.outChannels, taps);
  release(backend, filterT);
  const dx = zeros(backend, [...attrs.inputShape]);
  col2imAdd(f32(backend, cols), g, f32(backend, dx));
  release(backend, cols);
  return dx;
}

/** W [fh, fw, ci, co] -> R [fh, fw, co, ci] with R[i, j, o, c] = W[fh - 1 - i, fw - 1 - j, c, o]. */
function rotatedFilter(
  backend: BackendWasm,
  filter: TensorInfo,
  fh: number,
  fw: number,
  ci: number,
  co: number,
): TensorInfo {
  const out = backend.makeOutput([fh, fw, co, ci], 'float32');
  const w = f32(backend, filter);
  const r = f32(backend, out);
  for (let i = 0; i < fh; i++) {
    for (let j = 0; j < fw; j++) {
      const src = ((fh - 1 - i) * fw + (fw - 1 - j)) * ci * co;
      const dst = (i * fw + j) * co * ci;
      for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) r[dst + o * ci + c] = w[src + c * co + o];
    }
  }
  return out;
}

export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInput as unknown as KernelConfig['kernelFunc'],
};
