import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { batchMatMulSimd } from './batch-matmul-simd';
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
  bmm(
    a: number,
    b: number,
    c: number,
    batch: number,
    m: number,
    k: number,
    n: number,
    aStride: number,
    bStride: number,
  ): void;
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
    const module = new api.Module(assembleModule([batchMatMulSimd], shared));
    const instance = new api.Instance(module, { env: { memory } });
    kernels = { bmm: instance.exports['bmm'] as SimdKernels['bmm'] };
    instances.set(backend, kernels);
  }
  return kernels;
}
