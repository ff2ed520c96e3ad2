import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { connection } from './connection';

const HealthClient = grpc.makeGenericClientConstructor(healthService, 'Health');

export type Health = 'SERVING' | 'NOT_SERVING' | 'UNKNOWN' | 'SERVICE_UNKNOWN' | 'UNREACHABLE';

interface CheckClient extends grpc.Client {
  Check(
    request: { service: string },
    options: grpc.CallOptions,
    callback: (err: grpc.ServiceError | null, res?: { status: Health }) => void,
  ): void;
}

/** grpc.health.v1 Check on `address` (the server as a whole when `service` is empty). */
export function checkHealth(
  address: string,
  timeoutMs = 2000,
  service = '',
): Promise<{ status: Health; detail?: string }> {
  const { credentials, options } = connection();
  const client = new HealthClient(address, credentials, options) as unknown as CheckClient;
  return new Promise((resolve) => {
    client.Check({ service }, { deadline: Date.now() + timeoutMs }, (err, res) => {
      client.close();
      if (err) resolve({ status: 'UNREACHABLE', detail: err.details || err.message });
      else resolve({ status: res!.status });
    });
  });
}

/** Polls until `address` answers SERVING or `timeoutMs` passes; returns the last answer. */
export async function waitServing(
  address: string,
  timeoutMs: number,
): Promise<{ status: Health; detail?: string }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const answer = await checkHealth(address, Math.max(100, Math.min(1000, until - Date.now())));
    if (answer.status === 'SERVING' || Date.now() >= until) return answer;
    await new Promise((r) => setTimeout(r, 100));
  }
}
