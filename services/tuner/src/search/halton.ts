import type { Rng } from '@athanor/training-core';

const PRIMES = [
  2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103,
  107, 109, 113,
];

/**
 * Halton sequence (Halton 1960): the radical inverse of n in the d-th prime base. Scrambled with a
 * random digit permutation per dimension that fixes 0 (so finite expansions stay finite; Braaten &
 * Weller's remedy for the correlated high dimensions of plain Halton).
 */
export class Halton {
  private readonly permutations: number[][];

  constructor(
    readonly dimensions: number,
    rng?: Rng,
  ) {
    if (dimensions > PRIMES.length) throw new RangeError(`Halton: at most ${PRIMES.length} dimensions`);
    this.permutations = PRIMES.slice(0, dimensions).map((b) => {
      const rest = Array.from({ length: b - 1 }, (_, i) => i + 1);
      return [0, ...(rng ? rng.shuffle(rest) : rest)];
    });
  }

  point(n: number): number[] {
    return this.permutations.map((perm, d) => {
      const b = PRIMES[d];
      let x = 0;
      let f = 1 / b;
      for (let i = n; i > 0; i = Math.floor(i / b), f /= b) x += perm[i % b] * f;
      return x;
    });
  }
}
