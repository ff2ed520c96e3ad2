import {
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type DepthwiseConv2dNativeBackpropInputInputs,
  type KernelConfig,
  type TensorInfo,
  backend_util,
  DepthwiseConv2dNativeBackpropInput,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { convGeometry, validOutputRange } from './conv-geometry';
import { f32, zeros } from './wasm-heap';

/** dx(tap) += sum over m of W[kh, kw, c, m] * dy[..., c * mult + m], for every output and tap. */
function depthwiseBackpropInput(args: {
  inputs: DepthwiseConv2dNativeBackpropInputInputs;
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  const { backend, attrs } = args;
  const dyInfo = args.inputs.dy as TensorInfo;
  const wInfo = args.inputs.filter as TensorInfo;
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape,
    wInfo.shape as [number, number, number, number],
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
  const dxInfo = zeros(backend, [...attrs.inputShape]);
  const w = f32(backend, wInfo);
  const dy = f32(backend, dyInfo);
  const dx = f32(backend, dxInfo);
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
      const wBase = (kh * g.filterWidth + kw) * co;
      for (let b = 0; b < g.batch; b++) {
        for (let oy = oy0; oy < oy1; oy++) {
          const iy = oy * g.strideHeight + kh * g.dilationHeight - g.padTop;
          for (let ox = ox0; ox < ox1; ox++) {
            const ix = ox * g.strideWidth + kw * g.dilationWidth - g.padLeft;
            const dxBase = ((b * g.inHeight + iy) * g.inWidth + ix) * ci;
            const dyBase = ((b * g.outHeight + oy) * g.outWidth + ox) * co;
            for (let c = 0; c < ci; c++) {
              let sum = 0;
              for (let m = 0; m < mult; m++) sum += w[wBase + c * mult + m] * dy[dyBase + c * mult + m];
              dx[dxBase + c] += sum;
            }
          }
        }
      }
    }
  }
  return dxInfo;
}

export const depthwiseBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInput as unknown as KernelConfig['kernelFunc'],
};
