import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The backend's private id counter; ids must stay unique across its tensors and our aliases. */
interface IdCounter {
  dataIdNextNumber: number;
}

/**
 * A second tensor id for the same heap memory, valid until `dropAlias`. tfjs-backend-wasm caches
 * XNNPACK's packed matmul weights by the id of `b` alone, not its shape, until that tensor is
 * disposed: the same activation used as `b` twice with different views would silently reuse the
 * first packing, and an activation's packing would linger as long as the activation. A fresh id
 * per product gives each one its own packing, freed as soon as the product is done.
 */
export function aliasOf(backend: BackendWasm, info: TensorInfo, shape: number[]): TensorInfo {
  const source = backend.dataIdMap.get(info.dataId);
  if (source === undefined) throw new Error('tensor is not on the wasm backend');
  const counter = backend as unknown as IdCounter;
  const id = counter.dataIdNextNumber++;
  const dataId = { id };
  const size = shape.reduce((a, b) => a * b, 1);
  backend.dataIdMap.set(dataId, {
    id,
    memoryOffset: source.memoryOffset,
    shape,
    dtype: info.dtype,
    refCount: 1,
  });
  backend.wasm.tfjs.registerTensor(id, size, source.memoryOffset);
  return { dataId, shape, dtype: info.dtype };
}

/** Forgets an alias without freeing the memory it shares (its owner still holds it). */
export function dropAlias(backend: BackendWasm, alias: TensorInfo): void {
  const data = backend.dataIdMap.get(alias.dataId);
  if (data === undefined) return;
  // Runs the C++ disposal callbacks: deletes the XNNPACK operator cached for this id.
  backend.wasm.tfjs.disposeData(data.id);
  backend.dataIdMap.delete(alias.dataId);
}
