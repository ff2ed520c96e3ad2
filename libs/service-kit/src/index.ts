// One way to start an Athanor gRPC service. Tracing lives in '@athanor/service-kit/tracing' so a
// service can start it before anything imports @grpc/grpc-js.
export * from './auth';
export { callGuard, type CallGuardOptions, clientOf } from './call-guard';
export * from './client-limiter';
export * from './config';
export * from './errors';
export * from './handlers';
export * from './logger';
export * from './main';
export * from './metrics-registry';
export * from './metrics-sender';
export * from './path-root';
export * from './server';
export * from './server-limits';
export { fieldViolations } from './status';
export * from './service-info';
export * from './tls';
export * from './request-size';
