import {
  type BatchMatMulAttrs,
  type BatchMatMulInputs,
  type KernelConfig,
  type TensorInfo,
  BatchMatMul,
  broadcast_util,
  util,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { simdKernels } from '../simd/simd-module';
import { runStock } from './stock-kernels';
import { release, reshaped } from './wasm-heap';
import { transposed } from './transpose';
import { maybeTransposed, releaseIfOwned, transpose2d, xnnMatMul } from './xnn-matmul';

/**
 * Stock wasm sends every transposed or batched product to a scalar loop; a dense layer's two
 * gradients (x^T dy and dy W^T) are both transposed, attention's products are batched. A single
 * matrix pair gets its operand transposed explicitly and runs in XNNPACK; a batch (attention
 * heads: 256 x [28, 16] x [16, 28]) runs in our SIMD kernel (simd/batch-matmul-simd.ts), 12x stock.
 */
function batchMatMul(args: {
  inputs: BatchMatMulInputs;
  backend: BackendWasm;
  attrs: BatchMatMulAttrs;
}): TensorInfo {
  const { backend, attrs } = args;
  const a = args.inputs.a as TensorInfo;
  const b = args.inputs.b as TensorInfo;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const batchA = util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = util.sizeFromShape(b.shape.slice(0, -2));
  const m = attrs.transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = attrs.transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const n = attrs.transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || m * k * n === 0) {
    return runStock(BatchMatMul, backend, { a, b }, { ...attrs });
  }
  if (batchA !== 1 || batchB !== 1) {
    const outBatch = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    // One side a single matrix, or both the same batch: anything else stays stock.
    const batch = util.sizeFromShape(outBatch);
    if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) {
      return runStock(BatchMatMul, backend, { a, b }, { ...attrs });
    }
    return simdBatchMatMul(backend, a, b, attrs, {
      batch,
      batchA,
      batchB,
      m,
      k,
      n,
      outShape: [...outBatch, m, n],
    });
  }
  const outShape = broadcast_util
    .assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2))
    .concat([m, n]);
  if (n >= 2 * m && k >= 256) {
    // XNNPACK packs the right operand, and a wide one ([1792, 192] in a weight gradient x^T dy)
    // runs ~2x slower than the same product turned over: out^T [n, m] = b^T [n, k] x a^T [k, m].
    const left = maybeTransposed(backend, b, k, n, !attrs.transposeB);
    const right = maybeTransposed(backend, a, m, k, !attrs.transposeA);
    const outT = xnnMatMul(backend, left.info, right.info, n, k, m);
    releaseIfOwned(backend, left);
    releaseIfOwned(backend, right);
    const out = transpose2d(backend, outT, n, m);
    release(backend, outT);
    return reshaped(out, outShape);
  }
  const left = maybeTransposed(backend, a, k, m, attrs.transposeA);
  const right = maybeTransposed(backend, b, n, k, attrs.transposeB);
  const out = xnnMatMul(backend, left.info, right.info, m, k, n);
  releaseIfOwned(backend, left);
  releaseIfOwned(backend, right);
  return reshaped(out, outShape);
}

interface Dims {
  batch: number;
  batchA: number;
  batchB: number;
  m: number;
  k: number;
  n: number;
  outShape: number[];
}

function simdBatchMatMul(
  backend: BackendWasm,
  a: TensorInfo,
  b: TensorInfo,
  attrs: BatchMatMulAttrs,
  d: Dims,
): TensorInfo {
  const { batch, batchA, batchB, m, k, n } = d;
  const left = attrs.transposeA ? transposed(backend, reshaped(a, [batchA, k, m]), [0, 2, 1]) : a;
  const right = attrs.transposeB ? transposed(backend, reshaped(b, [batchB, n, k]), [0, 2, 1]) : b;
  const out = backend.makeOutput(d.outShape, 'float32');
  const offset = (t: TensorInfo): number => backend.dataIdMap.get(t.dataId).memoryOffset;
  const strideA = batchA === 1 ? 0 : m * k * 4;
  const strideB = batchB === 1 ? 0 : k * n * 4;
  simdKernels(backend).bmm(offset(left), offset(right), offset(out), batch, m, k, n, strideA, strideB);
  if (left !== a) release(backend, left);
  if (right !== b) release(backend, right);
  return out;
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul as unknown as KernelConfig['kernelFunc'],
};
