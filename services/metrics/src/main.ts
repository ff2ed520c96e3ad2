// Tracing first: the gRPC instrumentation must patch @grpc/grpc-js before anything loads it.
import { startTracing } from '@athanor/service-kit/tracing';
startTracing('metrics');

import { compileConfig, runMain } from '@athanor/service-kit';
import { configSchema } from './config';
import { startMetrics } from './server';

runMain(() => startMetrics(compileConfig(configSchema, process.env)));
