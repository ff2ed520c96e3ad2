import * as path from 'node:path';

/**
 * The directory holding tfjs-backend-wasm's `.wasm` binaries, with a trailing separator because
 * tfjs appends the file name to it. Under Node the Emscripten glue reads a plain path with `fs`;
 * the default (a URL next to the script) would need `fetch` of a file URL, which Node lacks.
 */
export function wasmBinaryDir(): string {
  const probe = require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm');
  return path.dirname(probe) + path.sep;
}
