import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { batchMatMulSimd } from './batch-matmul-simd';
import { channelAffineSimd } from './channel-affine-simd';
import { CHANNEL_BINARY_FUNCTIONS } from './channel-binary-simd';
import { columnSumSimd } from './column-sum-simd';
import { lstmBackSimd, lstmCellSimd, lstmOutSimd, lstmPreSimd } from './lstm-step-simd';
import { maxPoolGrad2x2Simd } from './max-pool-grad-simd';
import { assembleModule } from './wasm-encoder';

/** The WebAssembly API as far as it is used here (the project's TS lib has no DOM/WebAssembly types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

interface MemoryHolder {
  wasmMemory?: { buffer: ArrayBufferLike };
  asm?: { memory?: { buffer: ArrayBufferLike } };
}

export interface SimdKernels {
  bmm: (
    a: number,
    b: number,
    c: number,
    batch: number,
    m: number,
    k: number,
    n: number,
    aStride: number,
    bStride: number,
  ) => void;
  affine: (x: number, out: number, a: number, b: number, rows: number, channels: number) => void;
  colsum: (x: number, out: number, rows: number, channels: number) => void;
  lstm_pre: (z: number, xw: number, scale: number, batch: number, width4: number, xwStride: number) => void;
  lstm_cell: (
    s: number,
    cPrev: number,
    gates: number,
    c: number,
    cellTwice: number,
    batch: number,
    units: number,
  ) => void;
  lstm_out: (
    cellSigmoid: number,
    gates: number,
    tanhC: number,
    h: number,
    batch: number,
    units: number,
  ) => void;
  lstm_back: (
    gates: number,
    tanhC: number,
    cPrev: number,
    dh: number,
    dc: number,
    dz: number,
    batch: number,
    units: number,
  ) => void;
  /** out = x <op> v[channel]; names from channel-binary-simd.ts (chan_add, chan_rsub, ...). */
  channel: Record<string, (x: number, v: number, out: number, rows: number, channels: number) => void>;
  maxpoolgrad2x2: (
    x: number,
    dy: number,
    dx: number,
    batch: number,
    inHeight: number,
    inWidth: number,
    channels: number,
    outHeight: number,
    outWidth: number,
  ) => void;
}

const instances = new WeakMap<BackendWasm, SimdKernels>();

/**
 * Our SIMD kernels, instantiated against the wasm backend's own memory, so they read and write
 * tensors in place (addresses are the backend's `memoryOffset`s). One instance per backend.
 */
export function simdKernels(backend: BackendWasm): SimdKernels {
  let kernels = instances.get(backend);
  if (kernels === undefined) {
    const holder = backend.wasm as unknown as MemoryHolder;
    const memory = holder.wasmMemory ?? holder.asm?.memory;
    if (memory === undefined) throw new Error('cannot find the wasm backend memory');
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const module = new api.Module(
      assembleModule(
        [
          batchMatMulSimd,
          channelAffineSimd,
          columnSumSimd,
          maxPoolGrad2x2Simd,
          lstmPreSimd,
          lstmCellSimd,
          lstmOutSimd,
          lstmBackSimd,
          ...CHANNEL_BINARY_FUNCTIONS,
        ],
        shared,
      ),
    );
    const instance = new api.Instance(module, { env: { memory } });
    kernels = {
      bmm: instance.exports['bmm'] as SimdKernels['bmm'],
      affine: instance.exports['affine'] as SimdKernels['affine'],
      colsum: instance.exports['colsum'] as SimdKernels['colsum'],
      maxpoolgrad2x2: instance.exports['maxpoolgrad2x2'] as SimdKernels['maxpoolgrad2x2'],
      lstm_pre: instance.exports['lstm_pre'] as SimdKernels['lstm_pre'],
      lstm_cell: instance.exports['lstm_cell'] as SimdKernels['lstm_cell'],
      lstm_out: instance.exports['lstm_out'] as SimdKernels['lstm_out'],
      lstm_back: instance.exports['lstm_back'] as SimdKernels['lstm_back'],
      channel: Object.fromEntries(
        CHANNEL_BINARY_FUNCTIONS.map((f) => [f.name, instance.exports[f.name]]),
      ) as SimdKernels['channel'],
    };
    instances.set(backend, kernels);
  }
  return kernels;
}
