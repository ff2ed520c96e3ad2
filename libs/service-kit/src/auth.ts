import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { ConfigError, variableName } from './config';

/** The part of a config that turns bearer-token auth on (see commonSchema). */
export interface AuthConfig {
  readonly authToken?: string | undefined;
  readonly authTokenFile?: string | undefined;
}

const AUTHORIZATION = 'authorization';

/**
 * The configured bearer token, or undefined when auth is off. A token file (a mounted Secret) is
 * read once; surrounding whitespace is dropped because `echo token > file` adds a newline.
 */
export function loadAuthToken(config: AuthConfig): string | undefined {
  const inline = config.authToken?.trim() || undefined;
  const file = config.authTokenFile?.trim() || undefined;
  if (inline && file)
    throw new ConfigError([
      {
        variable: variableName('authTokenFile'),
        description: 'set ATHANOR_AUTH_TOKEN or ATHANOR_AUTH_TOKEN_FILE, not both',
      },
    ]);
  let token = inline;
  if (file) {
    try {
      token = readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new ConfigError([
        {
          variable: variableName('authTokenFile'),
          description: `cannot read ${file}: ${(err as Error).message}`,
        },
      ]);
    }
  }
  // A short token is guessable; 16 characters is the floor (`openssl rand -hex 32` gives 64).
  if (token !== undefined && token.length < 16)
    throw new ConfigError([
      {
        variable: variableName(file ? 'authTokenFile' : 'authToken'),
        description: 'the token must be at least 16 characters (e.g. openssl rand -hex 32)',
      },
    ]);
  return token;
}

/**
 * Whether `metadata` carries `authorization: Bearer <expected>`. Both sides are hashed first so the
 * comparison takes the same time whatever the presented token's length or content.
 */
export function carriesToken(metadata: grpc.Metadata, expected: string): boolean {
  const header = metadata.get(AUTHORIZATION)[0];
  if (typeof header !== 'string') return false;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const presented = m ? m[1] : '';
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected)) && m !== null;
}

/** A client interceptor that adds `authorization: Bearer <token>` to every call. */
export function bearerInterceptor(token: string): grpc.Interceptor {
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set(AUTHORIZATION, `Bearer ${token}`);
        next(metadata, listener);
      },
    });
}

/**
 * Options for a client of another Athanor service: reconnection within seconds (RECONNECT) and
 * the configured token on every call. The token is an interceptor rather than call credentials because grpc-js refuses call credentials on plaintext
 * channels, and a token on loopback without TLS is still wanted when auth is on.
 */
export function clientOptions(config: AuthConfig): grpc.ClientOptions {
  const token = loadAuthToken(config);
  return {
    ...RECONNECT,
    ...(token === undefined ? {} : { interceptors: [bearerInterceptor(token)] }),
  };
}

/**
 * grpc-js backs off up to 2 minutes between reconnection attempts by default: a worker whose tuner
 * restarted in two seconds kept failing its heartbeats for a minute, and its lease lapsed. A peer
 * that is back is found within 5 s instead.
 */
const RECONNECT: grpc.ClientOptions = {
  'grpc.initial_reconnect_backoff_ms': 1000,
  'grpc.max_reconnect_backoff_ms': 5000,
};
