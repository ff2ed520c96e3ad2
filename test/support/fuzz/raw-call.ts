import * as grpc from '@grpc/grpc-js';
import type { RpcMethod } from './schema';

export interface Answer {
  readonly code: grpc.status;
  readonly details: string;
  /** Messages a server stream sent before its status (or before we stopped reading). */
  readonly messages: number;
}

const identity = (b: Buffer): Buffer => b;

/**
 * Sends raw bytes as the request(s) of any RPC with a generic client (identity serializers, so
 * bytes no generated encoder would write reach the server) and resolves with the status it got.
 * A server stream is read until its status, or cancelled after its first message (a stream of
 * live events would otherwise run until the deadline). Never rejects.
 */
export function rawCall(
  client: grpc.Client,
  method: RpcMethod,
  payloads: readonly Buffer[],
  deadlineMs: number,
): Promise<Answer> {
  const options: grpc.CallOptions = { deadline: Date.now() + deadlineMs };
  const metadata = new grpc.Metadata();
  return new Promise<Answer>((resolve) => {
    let messages = 0;
    const settle = (err: grpc.ServiceError | null) =>
      resolve(
        err
          ? { code: err.code, details: err.details, messages }
          : { code: grpc.status.OK, details: '', messages },
      );
    if (!method.requestStream && !method.responseStream) {
      client.makeUnaryRequest(method.path, identity, identity, payloads[0], metadata, options, settle);
    } else if (method.requestStream && !method.responseStream) {
      const call = client.makeClientStreamRequest(method.path, identity, identity, metadata, options, settle);
      for (const p of payloads) call.write(p);
      call.end();
    } else {
      const call = method.requestStream
        ? client.makeBidiStreamRequest(method.path, identity, identity, metadata, options)
        : client.makeServerStreamRequest(method.path, identity, identity, payloads[0], metadata, options);
      let cancelledByUs = false;
      call.on('data', () => {
        messages++;
        if (!cancelledByUs) {
          cancelledByUs = true;
          call.cancel();
        }
      });
      call.on('error', (err: grpc.ServiceError) =>
        cancelledByUs && err.code === grpc.status.CANCELLED ? settle(null) : settle(err),
      );
      call.on('status', (s: grpc.StatusObject) => {
        if (s.code === grpc.status.OK) settle(null);
      });
      if (method.requestStream) {
        const duplex = call as grpc.ClientDuplexStream<Buffer, Buffer>;
        for (const p of payloads) duplex.write(p);
        duplex.end();
      }
    }
  });
}
