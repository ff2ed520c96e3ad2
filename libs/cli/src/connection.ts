import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { clientOptions } from '@athanor/service-kit';

export interface Connection {
  readonly credentials: grpc.ChannelCredentials;
  readonly options: grpc.ClientOptions;
}

/**
 * How the CLI reaches the services: plaintext on loopback by default; TLS when ATHANOR_TLS_CA
 * (verify the server with this CA) or ATHANOR_TLS_CERT + ATHANOR_TLS_KEY (present a client
 * certificate, for mutual TLS) are set; the bearer token from ATHANOR_AUTH_TOKEN or
 * ATHANOR_AUTH_TOKEN_FILE on every call when set. The same variables as the services read.
 */
export function connection(env: NodeJS.ProcessEnv = process.env): Connection {
  const file = (variable: string): Buffer | null => {
    const path = env[variable]?.trim();
    if (!path) return null;
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(`${variable}: cannot read ${path}: ${(err as Error).message}`);
    }
  };
  const ca = file('ATHANOR_TLS_CA');
  const cert = file('ATHANOR_TLS_CERT');
  const key = file('ATHANOR_TLS_KEY');
  if (Boolean(cert) !== Boolean(key)) {
    throw new Error(
      'ATHANOR_TLS_CERT and ATHANOR_TLS_KEY: set both (a client certificate needs its key) or neither',
    );
  }
  const credentials =
    ca || cert ? grpc.credentials.createSsl(ca, key, cert) : grpc.credentials.createInsecure();
  const options = clientOptions({
    authToken: env.ATHANOR_AUTH_TOKEN,
    authTokenFile: env.ATHANOR_AUTH_TOKEN_FILE,
  });
  return { credentials, options };
}
