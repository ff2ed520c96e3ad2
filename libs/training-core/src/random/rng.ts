import { check } from '../errors';
import { splitmix32 } from './splitmix32';

/** Everything needed to continue a stream exactly where it stopped (JSON-safe, for checkpoints). */
export interface RngState {
  /** The four 32-bit words of xoshiro128**. */
  readonly words: readonly [number, number, number, number];
  /** The second Box–Muller normal not yet handed out, or null. */
  readonly spareNormal: number | null;
}

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * A small seeded generator: xoshiro128** (Blackman & Vigna 2018) seeded through SplitMix32.
 * Integer arithmetic only (Math.imul), so a seed gives the same stream bit for bit on every
 * platform; the normal draws use Math.log/cos/sin, which V8 implements in software (fdlibm port),
 * so they too are reproducible under Node.
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  /** @param seed a non-negative integer below 2^53 (its high and low 32 bits are both used). */
  constructor(seed: number) {
    check(
      Number.isSafeInteger(seed) && seed >= 0,
      'seed',
      `must be a non-negative safe integer, got ${seed}`,
    );
    const mix = splitmix32((seed % TWO_POW_32) ^ (Math.floor(seed / TWO_POW_32) * 0x6c078965));
    this.s0 = mix();
    this.s1 = mix();
    this.s2 = mix();
    this.s3 = mix();
    // xoshiro must never be in the all-zero state; SplitMix32 makes that practically impossible.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A generator that continues from a saved state. */
  static fromState(state: RngState): Rng {
    const rng = new Rng(0);
    rng.setState(state);
    return rng;
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits (every double of the form k / 2^53). */
  uniform(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / TWO_POW_53;
  }

  /** Uniform in [low, high). */
  uniformRange(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** Standard normal (or N(mean, std^2)) by the Box–Muller transform; the second draw is cached. */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + std * z;
    }
    // 1 - u lies in (0, 1], so the log is finite.
    const u1 = 1 - this.uniform();
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.spare = r * Math.sin(theta);
    return mean + std * r * Math.cos(theta);
  }

  /** A uniform integer in [0, n), unbiased (rejection sampling); n at most 2^32. */
  int(n: number): number {
    check(Number.isInteger(n) && n >= 1 && n <= TWO_POW_32, 'n', `must be an integer in [1, 2^32], got ${n}`);
    // Reject the top partial block of 2^32 so every residue is equally likely.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): number[] {
    check(Number.isInteger(n) && n >= 0, 'n', `must be a non-negative integer, got ${n}`);
    return this.shuffle(Array.from({ length: n }, (_, i) => i));
  }

  /**
   * An independent generator seeded from this one (advances this stream by two words), e.g. one
   * per layer so that adding a layer does not change the others' draws.
   */
  fork(): Rng {
    return new Rng(this.nextUint32() * 2097152 + (this.nextUint32() >>> 11));
  }

  getState(): RngState {
    return { words: [this.s0, this.s1, this.s2, this.s3], spareNormal: this.spare };
  }

  setState(state: RngState): void {
    const words = state.words;
    check(
      Array.isArray(words) &&
        words.length === 4 &&
        words.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32),
      'state.words',
      'must be four unsigned 32-bit integers',
    );
    check((words[0] | words[1] | words[2] | words[3]) !== 0, 'state.words', 'must not be all zero');
    check(
      state.spareNormal === null || Number.isFinite(state.spareNormal),
      'state.spareNormal',
      'must be null or finite',
    );
    [this.s0, this.s1, this.s2, this.s3] = words;
    this.spare = state.spareNormal;
  }
}

/** `rng` itself, or a new generator seeded with it when it is a number. */
export function toRng(rng: Rng | number): Rng {
  return typeof rng === 'number' ? new Rng(rng) : rng;
}
