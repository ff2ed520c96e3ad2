import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { service as healthService } from 'grpc-health-check';

/** grpc.health.v1 Check, as any client would call it. */
export function healthCheck(address: string, service = ''): Promise<string> {
  const Client = grpc.makeGenericClientConstructor(healthService, 'Health');
  const client = new Client(address, grpc.credentials.createInsecure()) as unknown as {
    Check(
      r: { service: string },
      o: grpc.CallOptions,
      cb: (e: grpc.ServiceError | null, r?: { status: string }) => void,
    ): void;
    close(): void;
  };
  return new Promise((resolve, reject) =>
    client.Check({ service }, { deadline: Date.now() + 5000 }, (err, res) => {
      client.close();
      if (err) reject(err);
      else resolve(res!.status);
    }),
  );
}

const reflectionProto = join(
  dirname(require.resolve('@grpc/reflection/package.json')),
  'build/proto/grpc/reflection/v1/reflection.proto',
);

/** Server reflection v1: the services a server lists (what grpcurl `list` shows). */
export function reflectionServices(address: string): Promise<string[]> {
  const def = loadSync(reflectionProto, { keepCase: true, defaults: true, oneofs: true });
  const Reflection = grpc.makeGenericClientConstructor(
    def['grpc.reflection.v1.ServerReflection'] as grpc.ServiceDefinition,
    'ServerReflection',
  );
  const client = new Reflection(address, grpc.credentials.createInsecure()) as unknown as {
    ServerReflectionInfo(
      o: grpc.CallOptions,
    ): grpc.ClientDuplexStream<object, { list_services_response?: { service: { name: string }[] } }>;
    close(): void;
  };
  return new Promise((resolve, reject) => {
    const call = client.ServerReflectionInfo({ deadline: Date.now() + 5000 });
    call.on('data', (res: { list_services_response?: { service: { name: string }[] } }) => {
      resolve((res.list_services_response?.service ?? []).map((s) => s.name).sort());
      call.end();
      client.close();
    });
    call.on('error', reject);
    call.write({ list_services: '' });
  });
}

/** Unary call through a generated ts-proto client, as a promise. */
export function unary<Req, Res>(
  fn: (
    req: Req,
    metadata: grpc.Metadata,
    options: Partial<grpc.CallOptions>,
    cb: (e: grpc.ServiceError | null, r: Res) => void,
  ) => unknown,
  request: Req,
): Promise<Res> {
  return new Promise((resolve, reject) =>
    fn(request, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (err, res) =>
      err ? reject(err) : resolve(res),
    ),
  );
}
