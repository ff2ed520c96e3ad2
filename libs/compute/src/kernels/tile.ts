import {
  type KernelConfig,
  type TensorInfo,
  type TileAttrs,
  type TileInputs,
  Tile,
  util,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runStock } from './stock-kernels';
import { bytes } from './wasm-heap';

/**
 * Tile as block copies: each dimension's block is written once and then doubled with
 * `copyWithin` until it is repeated `reps` times, so tiling [1, 1, 1, C] to [N, H, W, C] (BatchNorm's
 * gradient does this every step) takes a few dozen memcpy calls instead of an index walk per element.
 */
function tile(args: { inputs: TileInputs; backend: BackendWasm; attrs: TileAttrs }): TensorInfo {
  const { backend, attrs } = args;
  const x = args.inputs.x as TensorInfo;
  if (x.dtype === 'string')
    return runStock(Tile, backend, { x }, attrs as unknown as Record<string, number[]>);
  const reps = attrs.reps;
  const outShape = x.shape.map((d, i) => d * (reps[i] ?? 1));
  const out = backend.makeOutput(outShape, x.dtype);
  if (util.sizeFromShape(outShape) === 0) return out;
  const src = bytes(backend, x);
  const dst = bytes(backend, out);
  const rank = x.shape.length;
  const element = util.bytesPerElement(x.dtype);
  // srcStride[d]: bytes of one index step of dim d in x; block[d]: bytes of dims d.. in the output.
  const srcStride = new Array<number>(rank + 1).fill(element);
  const block = new Array<number>(rank + 1).fill(element);
  for (let d = rank - 1; d >= 0; d--) {
    srcStride[d] = srcStride[d + 1] * x.shape[d];
    block[d] = block[d + 1] * outShape[d];
  }
  const fill = (d: number, from: number, to: number): void => {
    if (d === rank) {
      dst.set(src.subarray(from, from + element), to);
      return;
    }
    const inner = block[d + 1];
    const n = x.shape[d];
    if (d === rank - 1) dst.set(src.subarray(from, from + n * element), to);
    else for (let i = 0; i < n; i++) fill(d + 1, from + i * srcStride[d + 1], to + i * inner);
    const once = n * inner;
    const total = once * (reps[d] ?? 1);
    for (let done = once; done < total; done *= 2)
      dst.copyWithin(to + done, to, to + Math.min(done, total - done));
  };
  fill(0, 0, 0);
  return out;
}

export const tileConfig: KernelConfig = {
  kernelName: Tile,
  backendName: 'wasm',
  kernelFunc: tile as unknown as KernelConfig['kernelFunc'],
};
