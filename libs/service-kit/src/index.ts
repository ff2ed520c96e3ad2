// One way to start an Athanor gRPC service. Tracing lives in '@athanor/service-kit/tracing' so a
// service can start it before anything imports @grpc/grpc-js.
export * from './config';
export * from './errors';
export * from './handlers';
export * from './logger';
export * from './main';
export * from './metrics-registry';
export * from './server';
export { fieldViolations } from './status';
export * from './service-info';
