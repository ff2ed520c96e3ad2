import * as grpc from '@grpc/grpc-js';
import { metrics, type tuner } from '@athanor/contracts';

/** A scripted metrics service on loopback for tests: records every ReportMetrics message. */
export class FakeMetrics {
  readonly messages: metrics.ReportMetricsRequest[] = [];
  private server: grpc.Server | undefined;
  private waiters: (() => void)[] = [];

  /** Listens on `port` (0: any free one); resolves to host:port. */
  async start(port = 0, rejectStates: readonly tuner.TrialState[] = []): Promise<string> {
    const server = new grpc.Server();
    server.addService(metrics.MetricsServiceService, {
      reportMetrics: (
        call: grpc.ServerReadableStream<metrics.ReportMetricsRequest, metrics.ReportMetricsResponse>,
        cb: grpc.sendUnaryData<metrics.ReportMetricsResponse>,
      ) => {
        let accepted = 0;
        let rejected = 0;
        call.on('data', (m: metrics.ReportMetricsRequest) => {
          this.messages.push(m);
          for (const u of m.trialUpdates) if (rejectStates.includes(u.state)) rejected++;
          accepted += m.trialUpdates.length;
        });
        call.on('end', () => {
          cb(
            null,
            metrics.ReportMetricsResponse.fromPartial({
              updatesAccepted: accepted - rejected,
              updatesRejected: rejected,
            }),
          );
          for (const w of this.waiters.splice(0)) w();
        });
      },
    });
    const bound = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    this.server = server;
    return `127.0.0.1:${bound}`;
  }

  get updates(): metrics.TrialUpdate[] {
    return this.messages.flatMap((m) => m.trialUpdates);
  }

  /** Resolves once `ready()` holds, checked after every stream the service finishes. */
  async until(ready: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (Date.now() > deadline)
        throw new Error(`not ready after ${timeoutMs} ms: ${JSON.stringify(this.updates)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100).unref();
      });
    }
  }

  stop(): void {
    this.server?.forceShutdown();
    this.server = undefined;
  }
}

/** A loopback port nothing listens on (taken, then let go). */
export async function freePort(): Promise<number> {
  const fake = new FakeMetrics();
  const address = await fake.start();
  fake.stop();
  return Number(address.split(':')[1]);
}
