import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { ConfigError, variableName } from './config';

/** The part of a config that chooses transport security (see commonSchema). */
export interface TlsConfig {
  readonly tlsCert?: string | undefined;
  readonly tlsKey?: string | undefined;
  readonly tlsCa?: string | undefined;
}

/** The PEM files a config names, read once; `undefined` when TLS is off. */
export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** Set: mutual TLS (the server requires client certificates signed by it). */
  readonly ca: Buffer | undefined;
}

/**
 * Reads the certificate files, failing fast with a ConfigError that names the variable: a
 * half-configured TLS (a certificate without its key, a CA without a certificate) must stop the
 * service rather than quietly serve plaintext.
 */
export function loadTls(config: TlsConfig): TlsMaterial | undefined {
  const problems: { variable: string; description: string }[] = [];
  const read = (key: keyof TlsConfig): Buffer | undefined => {
    const path = config[key];
    if (path === undefined || path === '') return undefined;
    try {
      const pem = readFileSync(path);
      if (!pem.includes('-----BEGIN ')) throw new Error('not a PEM file');
      return pem;
    } catch (err) {
      problems.push({
        variable: variableName(key),
        description: `cannot read ${path}: ${(err as Error).message}`,
      });
      return undefined;
    }
  };
  const cert = read('tlsCert');
  const key = read('tlsKey');
  const ca = read('tlsCa');
  const set = (k: keyof TlsConfig) => config[k] !== undefined && config[k] !== '';
  if (set('tlsCert') !== set('tlsKey'))
    problems.push({
      variable: variableName(set('tlsCert') ? 'tlsKey' : 'tlsCert'),
      description: 'ATHANOR_TLS_CERT and ATHANOR_TLS_KEY are set together (TLS needs both)',
    });
  if (set('tlsCa') && !set('tlsCert'))
    problems.push({
      variable: variableName('tlsCa'),
      description:
        'mutual TLS needs this service’s own certificate too (set ATHANOR_TLS_CERT and ATHANOR_TLS_KEY)',
    });
  if (problems.length > 0) throw new ConfigError(problems);
  return cert && key ? { cert, key, ca } : undefined;
}

/** Credentials of the gRPC port: plaintext, TLS, or mutual TLS when a CA is configured. */
export function serverCredentials(config: TlsConfig): grpc.ServerCredentials {
  const tls = loadTls(config);
  if (!tls) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(
    tls.ca ?? null,
    [{ private_key: tls.key, cert_chain: tls.cert }],
    tls.ca !== undefined, // a CA means mutual TLS: a client without a certificate it signed is refused
  );
}

/**
 * Credentials a service uses to call another service: the same files as its server side. With a
 * CA, the peer's certificate is verified against it and this service presents its own certificate
 * (mutual TLS); without TLS configured, plaintext (the loopback default).
 */
export function clientCredentials(config: TlsConfig): grpc.ChannelCredentials {
  const tls = loadTls(config);
  if (!tls) return grpc.credentials.createInsecure();
  // Without a CA of our own the system roots verify the server (a publicly issued certificate).
  return grpc.credentials.createSsl(tls.ca ?? null, tls.key, tls.cert);
}
