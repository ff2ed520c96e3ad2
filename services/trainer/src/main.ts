// Tracing first: the gRPC instrumentation must patch @grpc/grpc-js before anything loads it.
import { startTracing } from '@athanor/service-kit/tracing';
startTracing('trainer');

import { compileConfig, runMain } from '@athanor/service-kit';
import { configSchema } from './config';
import { startTrainer } from './server';

runMain(() => startTrainer(compileConfig(configSchema, process.env)));
