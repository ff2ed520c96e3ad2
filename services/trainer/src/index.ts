export { configSchema, type TrainerConfig } from './config';
export { startTrainer } from './server';
