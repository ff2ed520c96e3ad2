import * as grpc from '@grpc/grpc-js';
import { carriesToken } from './auth';
import { ClientLimiter } from './client-limiter';
import type { ServiceMetrics } from './metrics-registry';

export interface CallGuardOptions {
  /** Bearer token that write methods need; undefined: auth off. */
  readonly token: string | undefined;
  /** Full paths (`/athanor.tuner.v1.TunerService/CreateStudy`) that need the token. */
  readonly writeMethods: ReadonlySet<string>;
  /** Concurrent calls per client; 0: no limit. */
  readonly maxCallsPerClient: number;
  readonly metrics?: ServiceMetrics;
}

// Probes and tooling must get through whatever a client does: the kubelet's gRPC probes share the
// node's address with other pods, and a refused probe would restart a healthy service.
const EXEMPT = /^\/grpc\.(health|reflection)\./;

/**
 * Who a call comes from, for the per-client limit: the peer's IP address (one pod, one client),
 * prefixed with the certificate subject under mutual TLS so logs and limits say who it is. The
 * address stays in the key because replicas of one service usually share one certificate.
 */
export function clientOf(call: grpc.ServerInterceptingCallInterface): string {
  const cn = call.getAuthContext()?.sslPeerCertificate?.subject?.CN;
  const address = call.getConnectionInfo()?.remoteAddress ?? call.getPeer().replace(/:\d+$/, '');
  return typeof cn === 'string' && cn !== '' ? `${cn}@${address}` : address;
}

/**
 * A grpc-js server interceptor that refuses a call before its handler runs: UNAUTHENTICATED for a
 * write method without the token, RESOURCE_EXHAUSTED past the per-client limit. Checking in the
 * metadata step means a refused call costs no decoding and never reaches service code.
 */
export function callGuard(options: CallGuardOptions): grpc.ServerInterceptor {
  const limiter = new ClientLimiter(options.maxCallsPerClient);
  const refuse = (
    call: grpc.ServerInterceptingCallInterface,
    path: string,
    code: grpc.status,
    details: string,
  ) => {
    const method = path.split('.').pop() ?? path; // the same label as handlers.ts
    options.metrics?.rpcHandled.inc({ method, code: grpc.status[code] });
    call.sendStatus({ code, details, metadata: new grpc.Metadata() });
  };

  return (method, call) => {
    const path = method.path;
    const guarded = !EXEMPT.test(path);
    let client: string | undefined;
    const release = () => {
      if (client === undefined) return;
      limiter.release(client);
      client = undefined;
    };
    return new grpc.ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, nextMetadata) {
            if (
              options.token !== undefined &&
              options.writeMethods.has(path) &&
              !carriesToken(metadata, options.token)
            ) {
              refuse(
                call,
                path,
                grpc.status.UNAUTHENTICATED,
                `${path.slice(1)} changes state and needs a bearer token: send "authorization: Bearer <token>" metadata with the service's ATHANOR_AUTH_TOKEN`,
              );
              return;
            }
            if (guarded) {
              const who = clientOf(call);
              if (!limiter.acquire(who)) {
                refuse(
                  call,
                  path,
                  grpc.status.RESOURCE_EXHAUSTED,
                  `too many concurrent calls from this client (limit ${limiter.limit}, ATHANOR_MAX_CALLS_PER_CLIENT); retry when one finishes`,
                );
                return;
              }
              client = who;
            }
            nextMetadata(metadata);
          },
          // grpc-js signals cancel at the end of every call, finished or not: the one sure release.
          onCancel: release,
        });
      },
      sendStatus(status, next) {
        release();
        next(status);
      },
    });
  };
}
