import {
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type DepthwiseConv2dNativeBackpropFilterInputs,
  type KernelConfig,
  type TensorInfo,
  backend_util,
  DepthwiseConv2dNativeBackpropFilter,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { convGeometry, validOutputRange } from './conv-geometry';
import { f32, zeros } from './wasm-heap';

/** dW[kh, kw, c, m] = sum over batch and output positions of x(tap) * dy[..., c * mult + m]. */
function depthwiseBackpropFilter(args: {
  inputs: DepthwiseConv2dNativeBackpropFilterInputs;
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const { backend, attrs } = args;
  const xInfo = args.inputs.x as TensorInfo;
  const dyInfo = args.inputs.dy as TensorInfo;
  const info = backend_util.computeConv2DInfo(
    xInfo.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  const g = convGeometry(info);
  const ci = g.inChannels;
  const co = g.outChannels;
  const mult = co / ci;
  const dwInfo = zeros(backend, [...attrs.filterShape]);
  const x = f32(backend, xInfo);
  const dy = f32(backend, dyInfo);
  const dw = f32(backend, dwInfo);
  for (let kh = 0; kh < g.filterHeight; kh++) {
    const [oy0, oy1] = validOutputRange(
      kh,
      g.dilationHeight,
      g.strideHeight,
      g.padTop,
      g.inHeight,
      g.outHeight,
    );
    for (let kw = 0; kw < g.filterWidth; kw++) {
      const [ox0, ox1] = validOutputRange(
        kw,
        g.dilationWidth,
        g.strideWidth,
        g.padLeft,
        g.inWidth,
        g.outWidth,
      );
      const dwBase = (kh * g.filterWidth + kw) * co;
      for (let b = 0; b < g.batch; b++) {
        for (let oy = oy0; oy < oy1; oy++) {
          const iy = oy * g.strideHeight + kh * g.dilationHeight - g.padTop;
          for (let ox = ox0; ox < ox1; ox++) {
            const ix = ox * g.strideWidth + kw * g.dilationWidth - g.padLeft;
            const xBase = ((b * g.inHeight + iy) * g.inWidth + ix) * ci;
            const dyBase = ((b * g.outHeight + oy) * g.outWidth + ox) * co;
            for (let c = 0; c < ci; c++) {
              const xv = x[xBase + c];
              for (let m = 0; m < mult; m++) dw[dwBase + c * mult + m] += xv * dy[dyBase + c * mult + m];
            }
          }
        }
      }
    }
  }
  return dwInfo;
}

export const depthwiseBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilter as unknown as KernelConfig['kernelFunc'],
};
