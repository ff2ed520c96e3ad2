import type { backend_util } from '@tensorflow/tfjs';

/** The numbers a 2-D convolution or pooling loop needs, taken from tfjs's own shape arithmetic. */
export interface ConvGeometry {
  readonly batch: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly inChannels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly outChannels: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly dilationHeight: number;
  readonly dilationWidth: number;
  readonly padTop: number;
  readonly padLeft: number;
}

export function convGeometry(info: backend_util.Conv2DInfo): ConvGeometry {
  if (info.dataFormat !== 'channelsLast') {
    throw new Error('the wasm training kernels support NHWC (channelsLast) data only');
  }
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** Output columns `o` (0 <= o < outSize) whose tap `k` lands inside the input: [first, end). */
export function validOutputRange(
  k: number,
  dilation: number,
  stride: number,
  pad: number,
  inSize: number,
  outSize: number,
): [number, number] {
  // Tap k of output o reads input o * stride + k * dilation - pad; keep 0 <= that < inSize.
  const offset = k * dilation - pad;
  const first = Math.max(0, Math.ceil(-offset / stride));
  const end = Math.min(outSize, Math.floor((inSize - 1 - offset) / stride) + 1);
  return [first, Math.max(first, end)];
}
