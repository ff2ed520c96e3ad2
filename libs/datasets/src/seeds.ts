/**
 * Derives an independent seed from a base seed and a few integers (e.g. (seed, epoch) or
 * (seed, epoch, example index)), so that a stream depends only on those coordinates and never on
 * how many numbers were drawn before it: this is what makes epoch e, batch k reproducible on resume.
 * A murmur3-style finaliser mixes the words; the result is a safe integer for `new Rng(...)`.
 */
export function deriveSeed(seed: number, stream: number, ...coords: number[]): number {
  let h1 = 0x9e3779b9 ^ (seed >>> 0);
  let h2 = 0x85ebca6b ^ Math.floor(seed / 4294967296);
  for (const word of [stream, ...coords]) {
    h1 = fmix(h1 ^ (word >>> 0));
    h2 = fmix((h2 + Math.imul(h1, 0xcc9e2d51) + Math.floor(word / 4294967296)) >>> 0);
  }
  // 21 high bits from h2 and 32 from h1: below 2^53, so a safe integer.
  return (h2 >>> 11) * 4294967296 + (h1 >>> 0);
}

function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Stream tags, so that the split, the order and the augmentation never share a stream. */
export const STREAM = {
  validationSplit: 1,
  epochOrder: 2,
  augmentation: 3,
  synthetic: 4,
  canonicalOrder: 5,
} as const;
