import * as grpc from '@grpc/grpc-js';
import { InvalidArgumentError, UnimplementedError } from './errors';
import type { Logger } from './logger';
import type { ServiceMetrics } from './metrics-registry';
import { oversizedFields } from './request-size';
import { toStatus } from './status';

/**
 * Service implementations are async functions: a unary handler returns its response, a streaming
 * one resolves when it is done. Thrown errors become gRPC statuses in one place (./status), so a
 * handler can never answer a call twice or leak an internal error's text.
 */
type Unary<Req, Res> = (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>;
type ServerStream<Req, Res> = (request: Req, call: grpc.ServerWritableStream<Req, Res>) => Promise<void>;
type ClientStream<Req, Res> = (call: grpc.ServerReadableStream<Req, Res>) => Promise<Res>;
type Bidi<Req, Res> = (call: grpc.ServerDuplexStream<Req, Res>) => Promise<void>;

export type AsyncImplementation<D> = {
  [K in keyof D]: D[K] extends grpc.MethodDefinition<infer Req, infer Res> & {
    requestStream: infer RS;
    responseStream: infer SS;
  }
    ? RS extends true
      ? SS extends true
        ? Bidi<Req, Res>
        : ClientStream<Req, Res>
      : SS extends true
        ? ServerStream<Req, Res>
        : Unary<Req, Res>
    : never;
};

/** `/athanor.trainer.v1.TrainerService/StartRun` -> `athanor.trainer.v1.TrainerService`. */
export function serviceNameOf(definition: grpc.ServiceDefinition): string {
  const first = Object.values(definition)[0];
  if (!first) throw new Error('a service definition needs at least one method');
  return first.path.split('/')[1];
}

interface Context {
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
}

/**
 * grpc-js handlers for `implementation`, with metrics, logs and error mapping. Methods missing from
 * a partial implementation answer UNIMPLEMENTED naming the issue that brings them.
 */
export function wrapImplementation<D extends grpc.ServiceDefinition>(
  definition: D,
  implementation: Partial<AsyncImplementation<D>>,
  context: Context,
  arrivesWith: string,
): grpc.UntypedServiceImplementation {
  const out: grpc.UntypedServiceImplementation = {};
  for (const [key, method] of Object.entries(definition)) {
    const label = method.path.split('.').pop()!; // "TrainerService/StartRun": bounded, readable
    const given = (implementation as Record<string, unknown>)[key] as
      ((...args: unknown[]) => Promise<unknown>) | undefined;
    const fn = given ?? (() => Promise.reject(new UnimplementedError(label.replace('/', '.'), arrivesWith)));
    out[key] = handlerFor(method, label, fn, context);
  }
  return out;
}

/** Calls `fn`, turning a synchronous throw into a rejection so both take the same path. */
function invoke(fn: (...args: unknown[]) => Promise<unknown>, ...args: unknown[]): Promise<unknown> {
  try {
    return Promise.resolve(fn(...args));
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

/** `fn` for a request that arrived whole, refused first when it is too long or too deep. */
function checked(fn: (...args: unknown[]) => Promise<unknown>): (...args: unknown[]) => Promise<unknown> {
  return (request, ...rest) => {
    const violations = oversizedFields(request);
    if (violations.length > 0) return Promise.reject(new InvalidArgumentError(violations));
    return fn(request, ...rest);
  };
}

function handlerFor(
  method: grpc.MethodDefinition<unknown, unknown>,
  label: string,
  fn: (...args: unknown[]) => Promise<unknown>,
  { logger, metrics }: Context,
): grpc.UntypedHandleCall {
  const finish = (start: bigint, code: grpc.status) => {
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    metrics.rpcHandled.inc({ method: label, code: grpc.status[code] });
    metrics.rpcSeconds.observe({ method: label, code: grpc.status[code] }, seconds);
  };
  const fail = (start: bigint, err: unknown) => {
    const st = toStatus(err, logger, label);
    finish(start, st.code);
    return st;
  };

  if (!method.requestStream && !method.responseStream) {
    return (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const start = process.hrtime.bigint();
      invoke(checked(fn), call.request, call).then(
        (response) => {
          finish(start, grpc.status.OK);
          callback(null, response);
        },
        (err: unknown) => callback(fail(start, err)),
      );
    };
  }
  if (method.requestStream && !method.responseStream) {
    return (call: grpc.ServerReadableStream<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const start = process.hrtime.bigint();
      invoke(fn, call).then(
        (response) => {
          finish(start, grpc.status.OK);
          callback(null, response);
        },
        (err: unknown) => callback(fail(start, err)),
      );
    };
  }
  const streaming = (
    call: grpc.ServerWritableStream<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>,
  ) => {
    const start = process.hrtime.bigint();
    const run = method.requestStream
      ? invoke(fn, call)
      : invoke(checked(fn), (call as grpc.ServerWritableStream<unknown, unknown>).request, call);
    run.then(
      () => {
        finish(start, grpc.status.OK);
        call.end();
      },
      (err: unknown) => {
        const st = fail(start, err);
        if (!call.cancelled) call.emit('error', st);
      },
    );
  };
  return streaming as grpc.UntypedHandleCall;
}
