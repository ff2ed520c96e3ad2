// The rules of the craft as pure functions: no I/O, no gRPC. Each folder is one concept.
export * from './errors';
export * from './glob';
export * from './random';
export * from './schedulers';
export * from './optimizers';
export * from './init';
export * from './scaling';
export * from './grad-stats';
