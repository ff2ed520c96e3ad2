export { configSchema, type TunerConfig } from './config';
export { startTuner } from './server';
