import { type TensorInfo, util } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The parts of the Emscripten module that expose its memory (threaded and plain builds differ). */
interface EmscriptenMemory {
  wasmMemory?: { buffer: ArrayBufferLike };
  asm?: { memory?: { buffer: ArrayBufferLike } };
  HEAPU8: Uint8Array;
}

/**
 * The wasm heap's current buffer. Read it afresh after every allocation: growing the heap replaces
 * the buffer, and in the threaded build `Module.HEAPF32` can lag behind a growth on another thread.
 */
export function heapBuffer(backend: BackendWasm): ArrayBufferLike {
  const module = backend.wasm as unknown as EmscriptenMemory;
  const memory = module.wasmMemory ?? module.asm?.memory;
  return memory?.buffer ?? module.HEAPU8.buffer;
}

function offsetOf(backend: BackendWasm, info: TensorInfo): number {
  const data = backend.dataIdMap.get(info.dataId);
  if (data === undefined) throw new Error('tensor is not on the wasm backend');
  return data.memoryOffset;
}

/** A float32 view of a tensor's data in place on the heap; valid until the next allocation. */
export function f32(backend: BackendWasm, info: TensorInfo): Float32Array {
  return new Float32Array(heapBuffer(backend), offsetOf(backend, info), util.sizeFromShape(info.shape));
}

/** A byte view of a tensor's data in place on the heap; valid until the next allocation. */
export function bytes(backend: BackendWasm, info: TensorInfo): Uint8Array {
  const size = util.sizeFromShape(info.shape) * util.bytesPerElement(info.dtype);
  return new Uint8Array(heapBuffer(backend), offsetOf(backend, info), size);
}

/** A new float32 tensor on the heap filled with zeros (malloc does not clear). */
export function zeros(backend: BackendWasm, shape: number[]): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  f32(backend, out).fill(0);
  return out;
}

/** The same data seen with another shape (no copy): wasm kernels read shapes from the TensorInfo. */
export function reshaped(info: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/** Frees an intermediate made inside a kernel. */
export function release(backend: BackendWasm, info: TensorInfo): void {
  backend.disposeData(info.dataId);
}
