export { configSchema, type ModelBuilderConfig } from './config';
export { startModelBuilder } from './server';
