// Tracing first: the gRPC instrumentation must patch @grpc/grpc-js before anything loads it.
import { startTracing } from '@athanor/service-kit/tracing';
startTracing('model-builder');

import { compileConfig, runMain } from '@athanor/service-kit';
import { configSchema } from './config';
import { startModelBuilder } from './server';

runMain(() => startModelBuilder(compileConfig(configSchema, process.env)));
