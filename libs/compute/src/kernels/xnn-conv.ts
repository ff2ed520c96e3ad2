import { Conv2D, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runStock } from './stock-kernels';

/** [top, bottom, left, right] */
export type Pads = readonly [number, number, number, number];

/**
 * x [n, h, w, c] correlated with filter [fh, fw, c, co], stride 1, explicit padding, in XNNPACK
 * (tfjs-backend-wasm's Conv2D; it caches the operator by filter id, and every filter passed here is
 * a fresh intermediate that the caller releases, which deletes the operator too).
 */
export function xnnConv(backend: BackendWasm, x: TensorInfo, filter: TensorInfo, pads: Pads): TensorInfo {
  const [top, bottom, left, right] = pads;
  return runStock(
    Conv2D,
    backend,
    { x, filter },
    {
      strides: [1, 1],
      dilations: [1, 1],
      pad: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      dataFormat: 'NHWC',
    },
  );
}
