import {
  type KernelConfig,
  type TensorInfo,
  Add,
  backend_util,
  Multiply,
  RealDiv,
  Sub,
  util,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { simdKernels } from '../simd/simd-module';
import { runStock } from './stock-kernels';
import { tileConfig } from './tile';
import { release, reshaped } from './wasm-heap';

// Below this output size the stock broadcast loop is cheap enough.
const MIN_SIZE = 1 << 12;
// Shortest contiguous run (floats) that tiling copies faster than the stock loop indexes.
const MIN_RUN = 8;

/**
 * Stock wasm's binary ops run SIMD on equal shapes but walk a generic index for a broadcast, ~7x
 * slower ([64, 28, 28, 16] x [16]: 0.87 ms vs 0.12 ms). BatchNorm's gradient is mostly such
 * products. A full tensor against a per-channel vector runs in our SIMD kernel; other broadcasts
 * along leading axes expand the smaller operand with the block-copy Tile, then run stock on equal
 * shapes.
 */
function broadcastBinary(kernelName: string): KernelConfig['kernelFunc'] {
  return (args) => {
    const backend = args.backend as BackendWasm;
    const a = args.inputs['a'] as TensorInfo;
    const b = args.inputs['b'] as TensorInfo;
    // Equal sizes with different ranks ([1, 64, 28, 64] and [64, 28, 64]) are equal shapes too.
    const same = util.arraysEqual(a.shape, b.shape);
    const outShape = same ? a.shape : backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    if (
      (same && a.shape.length === b.shape.length) ||
      a.dtype !== 'float32' ||
      b.dtype !== 'float32' ||
      util.sizeFromShape(outShape) < MIN_SIZE ||
      !copiesRuns(a, outShape) ||
      !copiesRuns(b, outShape)
    ) {
      return runStock(kernelName, backend, { a, b });
    }
    const channels = outShape[outShape.length - 1];
    const size = util.sizeFromShape(outShape);
    const perChannel = (t: TensorInfo): boolean => util.sizeFromShape(t.shape) === channels;
    const full = (t: TensorInfo): boolean => util.sizeFromShape(t.shape) === size;
    if (channels % 4 === 0 && ((full(a) && perChannel(b)) || (perChannel(a) && full(b)))) {
      // One full operand and one per-channel vector: our SIMD kernel, no expansion at all.
      const vectorFirst = perChannel(a);
      const [x, v] = vectorFirst ? [b, a] : [a, b];
      const out = backend.makeOutput(outShape, 'float32');
      const at = (t: TensorInfo): number => backend.dataIdMap.get(t.dataId).memoryOffset;
      simdKernels(backend).channel[channelFunction(kernelName, vectorFirst)](
        at(x),
        at(v),
        at(out),
        size / channels,
        channels,
      );
      return out;
    }
    const left = expand(backend, a, outShape);
    const right = expand(backend, b, outShape);
    const out = runStock(kernelName, backend, { a: left.info, b: right.info });
    if (left.owned) release(backend, left.info);
    if (right.owned) release(backend, right.info);
    return out;
  };
}

/**
 * Tiling is fast when it copies runs: the operand keeps the full last dimension (a per-channel
 * vector). Broadcasting along the last dimension ([256, 28, 1] against [256, 28, 28]) would copy
 * one element at a time, 7x slower than the stock loop; scalars are fast in stock already.
 */
function copiesRuns(x: TensorInfo, outShape: number[]): boolean {
  if (util.arraysEqual(x.shape, outShape)) return true;
  const last = x.shape[x.shape.length - 1] ?? 1;
  return last === outShape[outShape.length - 1] && last >= MIN_RUN;
}

/** `x` broadcast to `shape`: a view if only leading 1s are missing, else a tiled copy (owned). */
function expand(backend: BackendWasm, x: TensorInfo, shape: number[]): { info: TensorInfo; owned: boolean } {
  const padded = [...new Array<number>(shape.length - x.shape.length).fill(1), ...x.shape];
  if (util.arraysEqual(padded, shape)) return { info: reshaped(x, shape), owned: false };
  const reps = shape.map((d, i) => d / padded[i]);
  const tiled = tileConfig.kernelFunc({ inputs: { x: reshaped(x, padded) }, backend, attrs: { reps } });
  return { info: tiled as TensorInfo, owned: true };
}

function channelFunction(kernelName: string, vectorFirst: boolean): string {
  switch (kernelName) {
    case Add:
      return 'chan_add';
    case Multiply:
      return 'chan_mul';
    case Sub:
      return vectorFirst ? 'chan_rsub' : 'chan_sub';
    default:
      return vectorFirst ? 'chan_rdiv' : 'chan_div';
  }
}

function config(kernelName: string): KernelConfig {
  return { kernelName, backendName: 'wasm', kernelFunc: broadcastBinary(kernelName) };
}

export const addConfig = config(Add);
export const subConfig = config(Sub);
export const multiplyConfig = config(Multiply);
export const realDivConfig = config(RealDiv);
