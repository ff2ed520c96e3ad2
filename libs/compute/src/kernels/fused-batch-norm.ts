import {
  type FusedBatchNormAttrs,
  type FusedBatchNormInputs,
  type KernelConfig,
  type TensorInfo,
  FusedBatchNorm,
  util,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runStock } from './stock-kernels';
import { f32 } from './wasm-heap';

/**
 * Batch normalisation with per-channel statistics (the last axis): out = offset + (x - mean) * k
 * with k = scale / sqrt(variance + eps) computed once per channel, the cpu backend's formula.
 * Stock wasm recomputes the square root per element (3 ms for [64, 28, 28, 16], this: ~0.8 ms).
 * Statistics of another shape (LayerNormalization tiles them to the full input) go to stock.
 */
function fusedBatchNorm(args: {
  inputs: FusedBatchNormInputs;
  backend: BackendWasm;
  attrs: FusedBatchNormAttrs;
}): TensorInfo {
  const { backend, attrs } = args;
  const inputs = args.inputs as unknown as Record<string, TensorInfo | undefined>;
  const x = inputs['x']!;
  const channels = x.shape[x.shape.length - 1] ?? 1;
  const params = [inputs['mean'], inputs['variance'], inputs['offset'], inputs['scale']];
  const perChannel = params.every((p) => p === undefined || util.sizeFromShape(p.shape) === channels);
  if (x.dtype !== 'float32' || !perChannel || util.sizeFromShape(x.shape) === 0) {
    const present = Object.fromEntries(
      Object.entries(inputs).filter((e): e is [string, TensorInfo] => e[1] !== undefined),
    );
    return runStock(FusedBatchNorm, backend, present, { varianceEpsilon: attrs.varianceEpsilon });
  }
  const out = backend.makeOutput(x.shape, 'float32');
  const [mean, variance, offset, scale] = params.map((p) => (p === undefined ? undefined : f32(backend, p)));
  const k = new Float32Array(channels);
  const shift = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    k[c] = (scale?.[c] ?? 1) / Math.sqrt(variance![c] + attrs.varianceEpsilon);
    shift[c] = mean![c];
  }
  const base = new Float32Array(channels);
  for (let c = 0; c < channels; c++) base[c] = offset?.[c] ?? 0;
  const src = f32(backend, x);
  const dst = f32(backend, out);
  for (let i = 0; i < src.length; i += channels) {
    for (let c = 0; c < channels; c++) dst[i + c] = base[c] + (src[i + c] - shift[c]) * k[c];
  }
  return out;
}

export const fusedBatchNormConfig: KernelConfig = {
  kernelName: FusedBatchNorm,
  backendName: 'wasm',
  kernelFunc: fusedBatchNorm as unknown as KernelConfig['kernelFunc'],
};
