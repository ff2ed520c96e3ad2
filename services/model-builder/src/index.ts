export { configSchema, type ModelBuilderConfig } from './config';
export { ModelBuilderHandlers } from './model-builder-handlers';
export { startModelBuilder } from './server';
