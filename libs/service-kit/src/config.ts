/**
 * Configuration from `ATHANOR_*` environment variables, read once through one pure function.
 *
 * A service declares a schema (variable -> parser with default and doc); `compileConfig` turns an
 * environment into a frozen, typed config or throws a ConfigError naming every bad variable. The
 * schema is data, so the README's table and the Kubernetes manifests can be derived from it.
 */

export interface VariableSpec<T> {
  /** Parses the raw string; throws an Error whose message says what was expected. */
  readonly parse: (raw: string) => T;
  /** Used when the variable is unset or empty; `undefined` makes the variable optional. */
  readonly default: T | undefined;
  readonly doc: string;
  /** The default as shown in docs (defaults to String(default)). */
  readonly shown?: string;
}

export type ConfigSchema = Readonly<Record<string, VariableSpec<unknown>>>;

export type ConfigOf<S extends ConfigSchema> = {
  readonly [K in keyof S]: S[K] extends VariableSpec<infer T> ? T : never;
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly { variable: string; description: string }[]) {
    super(problems.map((p) => `${p.variable}: ${p.description}`).join('\n'));
  }
}

/** The environment variable a schema key is read from: `grpcPort` -> `ATHANOR_GRPC_PORT`. */
export function variableName(key: string): string {
  return 'ATHANOR_' + key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

export function compileConfig<S extends ConfigSchema>(
  schema: S,
  env: Readonly<Record<string, string | undefined>>,
): ConfigOf<S> {
  const problems: { variable: string; description: string }[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema)) {
    const variable = variableName(key);
    const raw = env[variable]?.trim();
    if (raw === undefined || raw === '') {
      out[key] = spec.default;
      continue;
    }
    try {
      out[key] = spec.parse(raw);
    } catch (err) {
      problems.push({ variable, description: `${(err as Error).message} (got ${JSON.stringify(raw)})` });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(out) as ConfigOf<S>;
}

// Parsers. Each names what it expected; compileConfig adds the variable and the raw value.

export function port(fallback: number, doc: string): VariableSpec<number> {
  return {
    default: fallback,
    doc,
    parse: (raw) => {
      const n = Number(raw);
      if (!/^\d+$/.test(raw) || n > 65535) throw new Error('expected a port number 0..65535 (0 = ephemeral)');
      return n;
    },
  };
}

export function integer(
  fallback: number,
  doc: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): VariableSpec<number> {
  return {
    default: fallback,
    doc,
    parse: (raw) => {
      const n = Number(raw);
      if (!/^-?\d+$/.test(raw) || n < min || n > max)
        throw new Error(`expected an integer in [${min}, ${max}]`);
      return n;
    },
  };
}

export function seconds(fallback: number, doc: string): VariableSpec<number> {
  return {
    default: fallback,
    doc,
    parse: (raw) => {
      const n = Number(raw);
      if (!Number.isFinite(n) || n < 0) throw new Error('expected a non-negative number of seconds');
      return n;
    },
  };
}

export function text(fallback: string | undefined, doc: string): VariableSpec<string | undefined> {
  return { default: fallback, doc, parse: (raw) => raw };
}

export function oneOf<T extends string>(values: readonly T[], fallback: T, doc: string): VariableSpec<T> {
  return {
    default: fallback,
    doc,
    parse: (raw) => {
      if (!(values as readonly string[]).includes(raw))
        throw new Error(`expected one of ${values.join(', ')}`);
      return raw as T;
    },
  };
}

/** A peer's gRPC address `host:port`; unset means the feature that needs the peer is off. */
export function address(fallback: string | undefined, doc: string): VariableSpec<string | undefined> {
  return {
    default: fallback,
    doc,
    parse: (raw) => {
      const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(raw);
      if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new Error('expected host:port');
      return raw;
    },
  };
}

export function host(fallback: string, doc: string): VariableSpec<string> {
  return {
    default: fallback,
    doc,
    parse: (raw) => {
      if (!/^(\[?[0-9a-fA-F:.]+\]?|[A-Za-z0-9.-]+)$/.test(raw))
        throw new Error('expected a host name or IP address');
      return raw;
    },
  };
}

export interface CommonSchema extends ConfigSchema {
  readonly host: VariableSpec<string>;
  readonly grpcPort: VariableSpec<number>;
  readonly httpPort: VariableSpec<number>;
  readonly logLevel: VariableSpec<'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'>;
  readonly shutdownGraceSeconds: VariableSpec<number>;
  readonly healthPort: VariableSpec<number | undefined>;
  readonly tlsCert: VariableSpec<string | undefined>;
  readonly tlsKey: VariableSpec<string | undefined>;
  readonly tlsCa: VariableSpec<string | undefined>;
  readonly authToken: VariableSpec<string | undefined>;
  readonly authTokenFile: VariableSpec<string | undefined>;
  readonly maxReceiveMessageBytes: VariableSpec<number>;
  readonly maxSendMessageBytes: VariableSpec<number>;
  readonly maxConcurrentStreams: VariableSpec<number>;
  readonly maxCallsPerClient: VariableSpec<number>;
}

/** Variables every service reads. `defaults` gives the service's own ports. */
export function commonSchema(defaults: { grpcPort: number; httpPort: number }): CommonSchema {
  return {
    host: host('127.0.0.1', 'Interface the gRPC and HTTP servers bind to (0.0.0.0 in containers).'),
    grpcPort: port(defaults.grpcPort, 'gRPC port (health, reflection and the service API).'),
    httpPort: port(defaults.httpPort, 'HTTP port serving Prometheus /metrics.'),
    logLevel: oneOf(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      'info',
      'Log level (JSON logs on stdout).',
    ),
    shutdownGraceSeconds: seconds(
      10,
      'How long in-flight calls may run after SIGTERM before they are cancelled.',
    ),
    healthPort: {
      ...port(0, ''),
      default: undefined,
      doc: 'Extra plaintext port serving only grpc.health.v1, for probes that cannot speak TLS (the kubelet’s gRPC probe); unset: none.',
      shown: 'unset',
    },
    // Security (./tls, ./auth): off by default, which is only safe on loopback (README "Security").
    tlsCert: text(
      undefined,
      'PEM certificate chain of the gRPC port; with ATHANOR_TLS_KEY it turns TLS on (unset: plaintext).',
    ),
    tlsKey: text(undefined, 'PEM private key of ATHANOR_TLS_CERT.'),
    tlsCa: text(
      undefined,
      'PEM CA bundle: the server requires client certificates signed by it (mutual TLS), and clients of other services verify them with it.',
    ),
    authToken: text(
      undefined,
      'Bearer token that write RPCs (tuner, trainer) must carry, and that this service sends to its peers (unset: no token).',
    ),
    authTokenFile: text(
      undefined,
      'File holding the bearer token instead of ATHANOR_AUTH_TOKEN (a mounted Secret).',
    ),
    // Limits: grpc-js server options, and a per-client cap checked before a handler runs (./call-guard).
    maxReceiveMessageBytes: integer(
      4 * 1024 * 1024,
      'Largest request message accepted; larger ones answer RESOURCE_EXHAUSTED.',
      1024,
      2 ** 31 - 1,
    ),
    maxSendMessageBytes: integer(
      16 * 1024 * 1024,
      'Largest response message sent; larger ones fail the call with RESOURCE_EXHAUSTED.',
      1024,
      2 ** 31 - 1,
    ),
    maxConcurrentStreams: {
      ...integer(0, 'Concurrent calls on one HTTP/2 connection (0: no limit).', 0, 2 ** 31 - 1),
      shown: '0 (no limit)',
    },
    maxCallsPerClient: {
      ...integer(
        0,
        'Concurrent calls one client (one IP address) may have; one more answers RESOURCE_EXHAUSTED (0: no limit; health and reflection are exempt).',
        0,
        1_000_000,
      ),
      shown: '0 (no limit)',
    },
  } as const;
}
