import { encodeMessage, type Mutator, WRONG_WIRE } from './encode-message';
import type { Random } from './random';
import type { FieldDescriptor, RpcMethod, Schema } from './schema';
import { TEMPLATES } from './templates';

/** The kinds of malformed and hostile requests, each aimed at one class of mistake. */
export const KINDS = [
  'empty',
  'random-bytes',
  'wrong-wire-types',
  'schema-random',
  'nan-infinity',
  'negative-zero-sizes',
  'unknown-ids',
  'huge-repeated',
  'huge-string',
  'absurd-model',
] as const;
export type Kind = (typeof KINDS)[number];

export interface HostileRequest {
  readonly kind: Kind;
  readonly payload: Buffer;
}

/** Where a path a client sends must never lead (checked after the run: nothing was written there). */
export const ESCAPE_PATH = '../../../../../../../../tmp/athanor-fuzz-escape';

/** 100k elements: far beyond any sane list, small enough that a request stays under 4 MiB. */
const HUGE_REPEATED = 100_000;
/** The services' default receive limit (ATHANOR_MAX_RECEIVE_MESSAGE_BYTES). */
const MESSAGE_LIMIT = 4 * 1024 * 1024;

const isNumeric = (t: string) =>
  !['TYPE_STRING', 'TYPE_BYTES', 'TYPE_MESSAGE', 'TYPE_BOOL', 'TYPE_ENUM'].includes(t);
const isFloat = (t: string) => t === 'TYPE_DOUBLE' || t === 'TYPE_FLOAT';
const isIdLike = (name: string) =>
  /(^|_)(id|ids|uri|path|directory|token)$/.test(name) || name.endsWith('_path');

/**
 * Builds a plausible value of a message: templates where known, otherwise one sane value per field
 * (every oneof member set; decoders keep the last). Depth-limited: recursive messages stop.
 */
export function plausible(
  schema: Schema,
  typeName: string,
  rng: Random,
  absurd = false,
  depth = 0,
): Record<string, unknown> {
  const template = TEMPLATES[typeName];
  if (template) return template(absurd);
  const out: Record<string, unknown> = {};
  if (depth > 4) return out;
  for (const f of schema.message(typeName).field) {
    const one = (): unknown => {
      switch (f.type) {
        case 'TYPE_MESSAGE':
          return plausible(schema, schema.resolve(typeName, f.typeName), rng, absurd, depth + 1);
        case 'TYPE_STRING':
          return isIdLike(f.name) ? `fuzz-${rng.int(0, 1e9)}` : 'fuzz';
        case 'TYPE_BYTES':
          return rng.bytes(4);
        case 'TYPE_BOOL':
          return rng.chance(0.5);
        case 'TYPE_ENUM':
          return schema.enumOf(schema.resolve(typeName, f.typeName)).value.at(-1)!.number;
        default:
          return isFloat(f.type) ? 0.5 : 2;
      }
    };
    out[f.name] = f.label === 'LABEL_REPEATED' ? [one()] : one();
  }
  return out;
}

function randomScalar(f: FieldDescriptor, rng: Random): unknown {
  switch (f.type) {
    case 'TYPE_STRING':
      return rng.pick([
        '',
        'x',
        '\u0000',
        '💥'.repeat(50),
        '../'.repeat(20),
        rng.bytes(rng.int(1, 64)).toString('latin1'),
      ]);
    case 'TYPE_BYTES':
      return rng.bytes(rng.int(0, 64));
    case 'TYPE_BOOL':
      return rng.chance(0.5);
    case 'TYPE_ENUM':
      return rng.pick([0, 1, 2, 3, 99, -1, 2 ** 31 - 1]);
    case 'TYPE_MESSAGE':
      return undefined;
    default:
      return isFloat(f.type)
        ? rng.pick([0, -0, 1, -1, 1e-300, 1e300, Number.MAX_VALUE, Number.MIN_VALUE, rng.next() * 1e6 - 5e5])
        : rng.pick([
            0,
            1,
            -1,
            2 ** 31 - 1,
            -(2 ** 31),
            2n ** 63n - 1n,
            -(2n ** 63n),
            2n ** 64n - 1n,
            rng.int(0, 1e6),
          ]);
  }
}

/** A mutator that applies `hostile` to about half the eligible fields, leaving the rest sane. */
const some =
  (
    rng: Random,
    eligible: (f: FieldDescriptor) => boolean,
    hostile: (f: FieldDescriptor, v: unknown) => unknown,
  ): Mutator =>
  (f, v) =>
    eligible(f) && rng.chance(0.5) ? hostile(f, v) : v;

/** One hostile request of `kind` for `method`. */
export function hostileRequest(schema: Schema, method: RpcMethod, kind: Kind, rng: Random): HostileRequest {
  const type = method.requestType;
  const base = () => plausible(schema, type, rng);
  const encode = (value: Record<string, unknown>, mutate?: Mutator) =>
    encodeMessage(schema, type, value, mutate);
  const payload = ((): Buffer => {
    switch (kind) {
      case 'empty':
        return Buffer.alloc(0);
      case 'random-bytes':
        return rng.bytes(rng.int(1, 2048));
      case 'wrong-wire-types':
        return encode(base(), (_f, v) => (rng.chance(0.4) ? WRONG_WIRE : v));
      case 'schema-random':
        return encode(
          base(),
          some(
            rng,
            (f) => f.type !== 'TYPE_MESSAGE',
            (f) => (f.label === 'LABEL_REPEATED' ? [randomScalar(f, rng)] : randomScalar(f, rng)),
          ),
        );
      case 'nan-infinity':
        return encode(
          base(),
          some(
            rng,
            (f) => isFloat(f.type),
            (f) => {
              const bad = () => rng.pick([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
              return f.label === 'LABEL_REPEATED' ? [bad(), 1, bad()] : bad();
            },
          ),
        );
      case 'negative-zero-sizes':
        return encode(
          base(),
          some(
            rng,
            (f) => isNumeric(f.type),
            (f) => {
              const bad = () =>
                rng.pick<number | bigint>([0, -1, -(2 ** 31), -(2n ** 63n), 2n ** 64n - 1n, 2 ** 31 - 1]);
              return f.label === 'LABEL_REPEATED' ? [bad(), bad()] : bad();
            },
          ),
        );
      case 'unknown-ids':
        return encode(base(), (f, v) =>
          f.type === 'TYPE_STRING' && isIdLike(f.name)
            ? rng.pick([
                `no-such-${rng.int(0, 1e9)}`,
                ESCAPE_PATH,
                '/etc/passwd',
                'file:///etc/passwd',
                '%00',
                ' ',
              ])
            : v,
        );
      case 'huge-repeated': {
        let budget = MESSAGE_LIMIT - 64 * 1024;
        return encode(
          base(),
          some(
            rng,
            (f) => f.label === 'LABEL_REPEATED',
            (f, v) => {
              // Numbers pack into ~1-10 bytes each, strings and messages ~3-8: keep the request under the limit.
              const cost = f.type === 'TYPE_MESSAGE' ? 24 : isNumeric(f.type) ? 10 : 6;
              if (budget < HUGE_REPEATED * cost) return v;
              budget -= HUGE_REPEATED * cost;
              const item =
                f.type === 'TYPE_MESSAGE'
                  ? {}
                  : f.type === 'TYPE_STRING'
                    ? 'x'
                    : f.type === 'TYPE_ENUM'
                      ? 1
                      : isFloat(f.type)
                        ? 0.5
                        : 1;
              return new Array<unknown>(HUGE_REPEATED).fill(item);
            },
          ),
        );
      }
      case 'huge-string': {
        // Some just under the receive limit (the service must cope), some over it (RESOURCE_EXHAUSTED).
        let used = false;
        const size = rng.pick([MESSAGE_LIMIT - 4096, MESSAGE_LIMIT + 4096, 1024 * 1024]);
        return encode(base(), (f, v) => {
          if (used || f.type !== 'TYPE_STRING' || f.label === 'LABEL_REPEATED' || !rng.chance(0.3)) return v;
          used = true;
          return 'A'.repeat(size);
        });
      }
      case 'absurd-model':
        return encode(plausible(schema, type, rng, true));
    }
  })();
  return { kind, payload };
}
