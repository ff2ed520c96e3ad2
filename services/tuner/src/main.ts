// Tracing first: the gRPC instrumentation must patch @grpc/grpc-js before anything loads it.
import { startTracing } from '@athanor/service-kit/tracing';
startTracing('tuner');

import { compileConfig, runMain } from '@athanor/service-kit';
import { configSchema } from './config';
import { startTuner } from './server';

runMain(() => startTuner(compileConfig(configSchema, process.env)));
