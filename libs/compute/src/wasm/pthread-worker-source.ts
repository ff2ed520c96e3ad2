/**
 * Source of the Worker that runs one pthread of tfjs-backend-wasm's threaded-SIMD build under Node.
 *
 * The Emscripten glue asks for its worker script as a `blob:` URL, which Node's Worker refuses
 * (ERR_WORKER_PATH), and later hands the worker the main script as a Blob to `importScripts`, which
 * Node cannot read synchronously. This worker evaluates the same worker glue that tfjs ships, with
 * `require` in scope (its Node branch needs it), defines the module factory from the package's own
 * file, and makes `importScripts` of the Blob a no-op because the factory is already defined.
 */
export function pthreadWorkerSource(): string {
  const factory =
    require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const glue =
    require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');
  return `'use strict';
globalThis.WasmBackendModuleThreadedSimd = require(${JSON.stringify(factory)});
const { wasmWorkerContents } = require(${JSON.stringify(glue)});
globalThis.require = require;
globalThis.__filename = __filename;
// tfjs escapes newlines the same way before it turns this source into a Blob.
(0, eval)(wasmWorkerContents.replace(/\\n/g, '\\\\n'));
const importFile = globalThis.importScripts;
globalThis.importScripts = (url) => (String(url).startsWith('blob:') ? undefined : importFile(url));
`;
}
