import {
  type KernelConfig,
  type MeanAttrs,
  type SumAttrs,
  type TensorInfo,
  Mean,
  Sum,
  util,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runStock } from './stock-kernels';
import { simdKernels } from '../simd/simd-module';
import { f32 } from './wasm-heap';

/**
 * out[j] = scale * sum over r of x[r * inner + j], eight columns at a time in local variables
 * (float64, and kept in registers: ~6x faster than an accumulator array, and 6x faster than the
 * same sum as an XNNPACK product of ones, whose weight packing copies x first).
 */
export function sumRows(
  x: Float32Array,
  rows: number,
  inner: number,
  out: Float32Array,
  scale: number,
): void {
  let j = 0;
  for (; j + 8 <= inner; j += 8) {
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0,
      s4 = 0,
      s5 = 0,
      s6 = 0,
      s7 = 0;
    for (let i = j, end = rows * inner; i < end; i += inner) {
      s0 += x[i];
      s1 += x[i + 1];
      s2 += x[i + 2];
      s3 += x[i + 3];
      s4 += x[i + 4];
      s5 += x[i + 5];
      s6 += x[i + 6];
      s7 += x[i + 7];
    }
    out[j] = s0 * scale;
    out[j + 1] = s1 * scale;
    out[j + 2] = s2 * scale;
    out[j + 3] = s3 * scale;
    out[j + 4] = s4 * scale;
    out[j + 5] = s5 * scale;
    out[j + 6] = s6 * scale;
    out[j + 7] = s7 * scale;
  }
  for (; j < inner; j++) {
    let s = 0;
    for (let i = j, end = rows * inner; i < end; i += inner) s += x[i];
    out[j] = s * scale;
  }
}

/**
 * Sum or Mean over leading axes ([N, H, W, C] -> [C]: BatchNorm's statistics and gradients, a bias
 * gradient). Stock wasm first transposes the reduced axes innermost, a full copy, then adds; this
 * adds the rows in place (see sumRows). Other reductions go to the stock kernel.
 */
function reduceLeading(kernelName: typeof Sum | typeof Mean, average: boolean): KernelConfig['kernelFunc'] {
  return (args) => {
    const backend = args.backend as BackendWasm;
    const x = args.inputs['x'] as TensorInfo;
    const attrs = args.attrs as unknown as SumAttrs | MeanAttrs;
    const axes = util.parseAxisParam(attrs.axis, x.shape);
    // Size-1 axes change nothing: Tile's gradient sums [64, 1, 28, 1, 1, 64] over axes 0, 2, 4.
    const kept = x.shape.map((_, i) => i).filter((i) => x.shape[i] !== 1);
    const reduced = new Set(axes.filter((a) => x.shape[a] !== 1));
    const leading = kept.every((a, i) => i < reduced.size === reduced.has(a));
    const inner = util.sizeFromShape(kept.slice(reduced.size).map((a) => x.shape[a]));
    if (
      x.dtype !== 'float32' ||
      !leading ||
      reduced.size === 0 ||
      reduced.size === kept.length ||
      inner < 2
    ) {
      return runStock(kernelName, backend, { x }, { ...attrs });
    }
    const rows = util.sizeFromShape(kept.slice(0, reduced.size).map((a) => x.shape[a]));
    const outShape = attrs.keepDims
      ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
      : x.shape.filter((_, i) => !axes.includes(i));
    const out = backend.makeOutput(outShape, 'float32');
    if (inner % 4 === 0) {
      // Our SIMD kernel: float32, row after row like the cpu backend, 4 lanes at a time.
      const at = (t: TensorInfo): number => backend.dataIdMap.get(t.dataId).memoryOffset;
      simdKernels(backend).colsum(at(x), at(out), rows, inner);
      if (average) {
        const values = f32(backend, out);
        for (let j = 0; j < inner; j++) values[j] /= rows;
      }
      return out;
    }
    sumRows(f32(backend, x), rows, inner, f32(backend, out), average ? 1 / rows : 1);
    return out;
  };
}

export const sumConfig: KernelConfig = {
  kernelName: Sum,
  backendName: 'wasm',
  kernelFunc: reduceLeading(Sum, false),
};
export const meanConfig: KernelConfig = {
  kernelName: Mean,
  backendName: 'wasm',
  kernelFunc: reduceLeading(Mean, true),
};
