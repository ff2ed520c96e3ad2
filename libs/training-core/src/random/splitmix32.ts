/**
 * SplitMix32 (a 32-bit variant of Steele, Lea & Flood 2014, "Fast splittable pseudorandom number
 * generators"): turns any seed into well-mixed words, so that seeds 0, 1, 2 give unrelated streams.
 * Used only to seed the main generator; xoshiro's authors recommend exactly this.
 */
export function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}
