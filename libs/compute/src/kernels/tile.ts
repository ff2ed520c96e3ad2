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
import { heapBuffer } from './wasm-heap';

/**
 * Tile as block copies: each dimension's block is written once and then repeated (doubling with
 * `copyWithin` for long blocks), so tiling [1, 1, 1, C] to [N, H, W, C] (BatchNorm's gradient does
 * this every step) takes a few dozen memcpy calls instead of an index walk per element.
 */
type Typed = Float32Array | Int32Array | Uint8Array;

// Runs at least this long are copied with set/copyWithin; shorter ones in a plain loop, because
// each subarray allocates (LayerNormalization tiles [64, 28, 1] to [64, 28, 64]: 1,792 x 64 runs
// of one element: 0.9 ms as single-element copies, ~0.1 ms as a loop).
const LONG_RUN = 64;

function view(backend: BackendWasm, info: TensorInfo): Typed {
  const buffer = heapBuffer(backend);
  const offset = backend.dataIdMap.get(info.dataId).memoryOffset;
  const size = util.sizeFromShape(info.shape);
  if (info.dtype === 'int32') return new Int32Array(buffer, offset, size);
  if (info.dtype === 'bool') return new Uint8Array(buffer, offset, size);
  return new Float32Array(buffer, offset, size);
}

/** dst[to + once .. to + total) = repetitions of dst[to .. to + once). */
function repeatBlock(dst: Typed, to: number, once: number, total: number): void {
  if (once >= LONG_RUN) {
    for (let done = once; done < total; done *= 2)
      dst.copyWithin(to + done, to, to + Math.min(done, total - done));
  } else {
    for (let k = to + once; k < to + total; k++) dst[k] = dst[k - once];
  }
}

function tile(args: { inputs: TileInputs; backend: BackendWasm; attrs: TileAttrs }): TensorInfo {
  const { backend, attrs } = args;
  const x = args.inputs.x as TensorInfo;
  if (x.dtype === 'string' || x.dtype === 'complex64') {
    return runStock(Tile, backend, { x }, attrs as unknown as Record<string, number[]>);
  }
  const reps = attrs.reps;
  const outShape = x.shape.map((d, i) => d * (reps[i] ?? 1));
  const out = backend.makeOutput(outShape, x.dtype);
  if (util.sizeFromShape(outShape) === 0) return out;
  const src = view(backend, x);
  const dst = view(backend, out);
  const rank = x.shape.length;
  if (rank === 0) {
    dst[0] = src[0];
    return out;
  }
  // srcStride[d]: elements per index step of dim d in x; block[d]: elements of dims d.. in the output.
  const srcStride = new Array<number>(rank + 1).fill(1);
  const block = new Array<number>(rank + 1).fill(1);
  for (let d = rank - 1; d >= 0; d--) {
    srcStride[d] = srcStride[d + 1] * x.shape[d];
    block[d] = block[d + 1] * outShape[d];
  }
  const fill = (d: number, from: number, to: number): void => {
    const n = x.shape[d];
    if (d === rank - 1) {
      if (n >= LONG_RUN) dst.set(src.subarray(from, from + n), to);
      else for (let j = 0; j < n; j++) dst[to + j] = src[from + j];
    } else {
      for (let i = 0; i < n; i++) fill(d + 1, from + i * srcStride[d + 1], to + i * block[d + 1]);
    }
    const once = n * block[d + 1];
    repeatBlock(dst, to, once, once * (reps[d] ?? 1));
  };
  fill(0, 0, 0);
  return out;
}

export const tileConfig: KernelConfig = {
  kernelName: Tile,
  backendName: 'wasm',
  kernelFunc: tile as unknown as KernelConfig['kernelFunc'],
};
