import {
  type AvgPoolGradAttrs,
  type AvgPoolGradInputs,
  type KernelConfig,
  type TensorInfo,
  AvgPoolGrad,
  backend_util,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { f32, zeros } from './wasm-heap';

/**
 * Spreads each dy evenly over its window. The divisor is the full window area even where the
 * window overlaps padding: the cpu backend's (and TensorFlow's AvgPoolGrad's) convention.
 */
function avgPoolGrad(args: {
  inputs: AvgPoolGradInputs;
  backend: BackendWasm;
  attrs: AvgPoolGradAttrs;
}): TensorInfo {
  const { backend, attrs } = args;
  const dyInfo = args.inputs.dy as TensorInfo;
  const xInfo = args.inputs.input as TensorInfo;
  const info = backend_util.computePool2DInfo(
    xInfo.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
  );
  const { batchSize, inHeight, inWidth, inChannels: ch, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const scale = 1 / (filterHeight * filterWidth);
  const dxInfo = zeros(backend, xInfo.shape);
  const dy = f32(backend, dyInfo);
  const dx = f32(backend, dxInfo);
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = Math.max(0, oy * strideHeight - info.padInfo.top);
      const y1 = Math.min(inHeight, oy * strideHeight - info.padInfo.top + filterHeight);
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = Math.max(0, ox * strideWidth - info.padInfo.left);
        const x1 = Math.min(inWidth, ox * strideWidth - info.padInfo.left + filterWidth);
        const dyBase = ((b * outHeight + oy) * outWidth + ox) * ch;
        for (let y = y0; y < y1; y++) {
          for (let xx = x0; xx < x1; xx++) {
            const dst = ((b * inHeight + y) * inWidth + xx) * ch;
            for (let c = 0; c < ch; c++) dx[dst + c] += dy[dyBase + c] * scale;
          }
        }
      }
    }
  }
  return dxInfo;
}

export const avgPoolGradConfig: KernelConfig = {
  kernelName: AvgPoolGrad,
  backendName: 'wasm',
  kernelFunc: avgPoolGrad as unknown as KernelConfig['kernelFunc'],
};
