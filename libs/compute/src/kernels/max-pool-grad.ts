import {
  type KernelConfig,
  type MaxPoolGradAttrs,
  type MaxPoolGradInputs,
  type TensorInfo,
  backend_util,
  MaxPoolGrad,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { simdKernels } from '../simd/simd-module';
import { f32, zeros } from './wasm-heap';

/**
 * Routes each dy to the first maximum of its window (row-major, strictly greater wins), the cpu
 * backend's tie rule, which matters after a ReLU where whole windows are zero.
 */
function maxPoolGrad(args: {
  inputs: MaxPoolGradInputs;
  backend: BackendWasm;
  attrs: MaxPoolGradAttrs;
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
    attrs.dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels: ch, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const pool2x2 =
    filterHeight === 2 &&
    filterWidth === 2 &&
    strideHeight === 2 &&
    strideWidth === 2 &&
    top === 0 &&
    left === 0;
  if (pool2x2 && ch % 4 === 0 && inHeight >= 2 * outHeight && inWidth >= 2 * outWidth) {
    // Our SIMD kernel writes every element a window covers; zero the rest only if there is one.
    const covered = inHeight === 2 * outHeight && inWidth === 2 * outWidth;
    const dxInfo = covered ? backend.makeOutput(xInfo.shape, 'float32') : zeros(backend, xInfo.shape);
    const at = (t: TensorInfo): number => backend.dataIdMap.get(t.dataId).memoryOffset;
    simdKernels(backend).maxpoolgrad2x2(
      at(xInfo),
      at(dyInfo),
      at(dxInfo),
      batchSize,
      inHeight,
      inWidth,
      ch,
      outHeight,
      outWidth,
    );
    return dxInfo;
  }
  const dxInfo = zeros(backend, xInfo.shape);
  const x = f32(backend, xInfo);
  const dy = f32(backend, dyInfo);
  const dx = f32(backend, dxInfo);
  if (pool2x2 && inHeight >= 2 * outHeight && inWidth >= 2 * outWidth) {
    maxPoolGrad2x2(x, dy, dx, batchSize, inHeight, inWidth, ch, outHeight, outWidth);
    return dxInfo;
  }
  // (Tried: channels innermost with per-window best/at arrays; 2x slower in V8 than these locals.)
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = Math.max(0, oy * strideHeight - top);
      const y1 = Math.min(inHeight, oy * strideHeight - top + filterHeight);
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = Math.max(0, ox * strideWidth - left);
        const x1 = Math.min(inWidth, ox * strideWidth - left + filterWidth);
        const dyBase = ((b * outHeight + oy) * outWidth + ox) * ch;
        for (let c = 0; c < ch; c++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let y = y0; y < y1; y++) {
            let i = ((b * inHeight + y) * inWidth + x0) * ch + c;
            for (let xx = x0; xx < x1; xx++, i += ch) {
              const v = x[i];
              if (v > best) {
                best = v;
                at = i;
              }
            }
          }
          if (at >= 0) dx[at] += dy[dyBase + c];
        }
      }
    }
  }
  return dxInfo;
}

/**
 * The common 2x2, stride 2, unpadded pool: four candidates per output in row-major order, compared
 * in locals with the same first-maximum rule (~3x faster than the general loop).
 */
function maxPoolGrad2x2(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  batch: number,
  inHeight: number,
  inWidth: number,
  ch: number,
  outHeight: number,
  outWidth: number,
): void {
  const row = inWidth * ch;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const p00 = ((b * inHeight + 2 * oy) * inWidth + 2 * ox) * ch;
        const p01 = p00 + ch;
        const p10 = p00 + row;
        const p11 = p10 + ch;
        const dyBase = ((b * outHeight + oy) * outWidth + ox) * ch;
        for (let c = 0; c < ch; c++) {
          let best = x[p00 + c];
          let at = p00 + c;
          // NaN never wins and -Infinity at every position routes nothing, as in the general loop.
          if (!(best > Number.NEGATIVE_INFINITY)) at = -1;
          const v01 = x[p01 + c];
          if (v01 > best || (at < 0 && v01 > Number.NEGATIVE_INFINITY)) {
            best = v01;
            at = p01 + c;
          }
          const v10 = x[p10 + c];
          if (v10 > best || (at < 0 && v10 > Number.NEGATIVE_INFINITY)) {
            best = v10;
            at = p10 + c;
          }
          const v11 = x[p11 + c];
          if (v11 > best || (at < 0 && v11 > Number.NEGATIVE_INFINITY)) {
            at = p11 + c;
          }
          if (at >= 0) dx[at] += dy[dyBase + c];
        }
      }
    }
  }
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as KernelConfig['kernelFunc'],
};
