import { type KernelConfig, type NamedAttrMap, type TensorInfo, getKernel } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * tfjs-backend-wasm's own kernels, kept so that ours can call them (XNNPACK matmul) and fall back to
 * them. `capture` runs before a stock kernel is unregistered; its replacement carries its setupFunc,
 * which the engine runs when the backend initialises.
 */
const stock = new Map<string, KernelConfig>();

export function captureStockKernel(kernelName: string): void {
  if (stock.has(kernelName)) return;
  const config = getKernel(kernelName, 'wasm');
  if (config !== undefined) stock.set(kernelName, config);
}

export function runStock(
  kernelName: string,
  backend: BackendWasm,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const config = stock.get(kernelName) ?? getKernel(kernelName, 'wasm');
  if (config === undefined) throw new Error(`wasm kernel ${kernelName} is not available`);
  const out = config.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`wasm kernel ${kernelName} returned several outputs`);
  return out;
}

/** `runStock` for kernels with several outputs (Unpack, Split). */
export function runStockMulti(
  kernelName: string,
  backend: BackendWasm,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap = {},
): TensorInfo[] {
  const config = stock.get(kernelName) ?? getKernel(kernelName, 'wasm');
  if (config === undefined) throw new Error(`wasm kernel ${kernelName} is not available`);
  const out = config.kernelFunc({ inputs, backend, attrs });
  return Array.isArray(out) ? out : [out];
}
