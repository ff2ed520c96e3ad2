import {
  type KernelConfig,
  type TensorInfo,
  type TransposeAttrs,
  type TransposeInputs,
  Transpose,
  util,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runStock } from './stock-kernels';
import { heapBuffer } from './wasm-heap';

/**
 * Drops size-1 dimensions and merges dimensions that stay adjacent under `perm`, so a 5-D attention
 * head split becomes the 3- or 4-D copy it really is.
 */
export function simplifyPermutation(
  shape: readonly number[],
  perm: readonly number[],
): { shape: number[]; perm: number[] } {
  const kept = shape.map((_, i) => i).filter((i) => shape[i] !== 1);
  const order = perm.filter((p) => shape[p] !== 1);
  // Runs of input axes that appear consecutively (a, a+1, ...) in the output order.
  const groups: number[][] = [];
  for (const axis of order) {
    const last = groups[groups.length - 1];
    if (last !== undefined && last[last.length - 1] === kept[kept.indexOf(axis) - 1]) last.push(axis);
    else groups.push([axis]);
  }
  const byInput = [...groups].sort((a, b) => a[0] - b[0]);
  const newShape = byInput.map((g) => g.reduce((s, a) => s * shape[a], 1));
  const newPerm = groups.map((g) => byInput.indexOf(g));
  return { shape: newShape, perm: newPerm };
}

type Typed = Float32Array | Int32Array | Uint8Array;

// Contiguous runs at least this long are copied with `set`; shorter ones element by element, since
// each `subarray` allocates (a [64, 28, 3, 4, 16] head split has 21,504 runs of 16: 6.6 -> 0.4 ms).
const LONG_RUN = 256;

function transposeInto(src: Typed, dst: Typed, shape: number[], perm: number[]): void {
  const rank = shape.length;
  if (rank === 0) {
    dst.set(src);
    return;
  }
  const inStrides = [...util.computeStrides(shape), 1];
  const outShape = perm.map((p) => shape[p]);
  const step = perm.map((p) => inStrides[p]);
  const inner = outShape[rank - 1];
  const innerStep = step[rank - 1];
  const outer = dst.length / inner;
  const index = new Array<number>(rank).fill(0);
  let base = 0;
  let o = 0;
  for (let n = 0; n < outer; n++) {
    if (innerStep === 1 && inner >= LONG_RUN) {
      dst.set(src.subarray(base, base + inner), o);
      o += inner;
    } else {
      for (let j = 0, s = base; j < inner; j++, s += innerStep) dst[o++] = src[s]!;
    }
    for (let d = rank - 2; d >= 0; d--) {
      base += step[d];
      if (++index[d] < outShape[d]) break;
      base -= step[d] * outShape[d];
      index[d] = 0;
    }
  }
}

/**
 * Transpose by strided copy in JS on the heap. Stock wasm computes every element's source index
 * with divisions, ~5 ms for a Transformer's [64, 28, 3, 4, 16] head split, ~15x slower than this.
 */
function transpose(args: {
  inputs: TransposeInputs;
  backend: BackendWasm;
  attrs: TransposeAttrs;
}): TensorInfo {
  const { backend, attrs } = args;
  const x = args.inputs.x as TensorInfo;
  if (x.dtype === 'string' || x.dtype === 'complex64')
    return runStock(Transpose, backend, { x }, { perm: attrs.perm });
  const outShape = attrs.perm.map((p) => x.shape[p]);
  const out = backend.makeOutput(outShape, x.dtype);
  const size = util.sizeFromShape(x.shape);
  if (size === 0) return out;
  const simple = simplifyPermutation(x.shape, attrs.perm);
  const buffer = heapBuffer(backend);
  const view = (info: TensorInfo): Typed => {
    const offset = backend.dataIdMap.get(info.dataId).memoryOffset;
    if (x.dtype === 'bool') return new Uint8Array(buffer, offset, size);
    return x.dtype === 'int32'
      ? new Int32Array(buffer, offset, size)
      : new Float32Array(buffer, offset, size);
  };
  transposeInto(view(x), view(out), simple.shape, simple.perm);
  return out;
}

export const transposeConfig: KernelConfig = {
  kernelName: Transpose,
  backendName: 'wasm',
  kernelFunc: transpose as unknown as KernelConfig['kernelFunc'],
};

/** A transposed copy of `x` (for kernels that need one as an intermediate). */
export function transposed(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  return transpose({ inputs: { x }, backend, attrs: { perm } });
}
