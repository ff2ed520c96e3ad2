// TensorFlow.js backend choice and the kernels the wasm backend needs to train.
export { BACKEND_ORDER, type BackendName, backendOverride, isBackendName } from './backend/backend-name';
export type { BackendAttempt } from './backend/select-backend';
export { type ComputeInfo, computeInfo, initCompute } from './backend/compute';
export { ComputeConfigError, ComputeInitError } from './compute-error';
export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from './kernels/register-wasm-training-kernels';
export { wasmThreads } from './wasm/wasm-threads-config';
export { registerTrainingGradients } from './gradients/register-training-gradients';
export { lstmLastState } from './ops/lstm-last-state';
