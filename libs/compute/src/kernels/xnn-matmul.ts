import { BatchMatMul, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runStock } from './stock-kernels';
import { aliasOf, dropAlias } from './wasm-alias';
import { release, reshaped } from './wasm-heap';
import { transposed } from './transpose';

/**
 * a [m, k] x b [k, n] -> [m, n] through tfjs-backend-wasm's XNNPACK path, which it takes only for
 * one untransposed matrix pair (anything else runs a scalar C++ loop, ~10x slower). `b` goes in
 * under a fresh id (see wasm-alias.ts), so its packing is made for this product and freed after.
 */
export function xnnMatMul(
  backend: BackendWasm,
  a: TensorInfo,
  b: TensorInfo,
  m: number,
  k: number,
  n: number,
): TensorInfo {
  const weights = aliasOf(backend, b, [1, k, n]);
  try {
    const out = runStock(
      BatchMatMul,
      backend,
      { a: reshaped(a, [1, m, k]), b: weights },
      {
        transposeA: false,
        transposeB: false,
      },
    );
    return reshaped(out, [m, n]);
  } finally {
    dropAlias(backend, weights);
  }
}

/** x [rows, cols] -> [cols, rows] (JS strided copy, see transpose.ts). */
export function transpose2d(backend: BackendWasm, x: TensorInfo, rows: number, cols: number): TensorInfo {
  return transposed(backend, reshaped(x, [rows, cols]), [1, 0]);
}

/** Transposes `x` if asked, else returns it; `owned` says whether the caller must release it. */
export function maybeTransposed(
  backend: BackendWasm,
  x: TensorInfo,
  rows: number,
  cols: number,
  transpose: boolean,
): { info: TensorInfo; owned: boolean } {
  if (!transpose) return { info: x, owned: false };
  return { info: transpose2d(backend, x, rows, cols), owned: true };
}

export function releaseIfOwned(backend: BackendWasm, x: { info: TensorInfo; owned: boolean }): void {
  if (x.owned) release(backend, x.info);
}
