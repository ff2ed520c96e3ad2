const TWO_POW_32 = 4294967296;
// The golden-ratio increment keeps a zero word from mapping to zero (fmix32(0) is 0).
const GOLDEN = 0x9e3779b9;

/** MurmurHash3's finaliser: a bijection on 32-bit words in which every input bit flips every output bit. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The integer seed of one dropout mask: mask `call` (0, 1, ...) of dropout site `site` of a model
 * seeded with `seed`. A pure function of the three, so a resumed run only needs each site's call count
 * to draw the masks an uninterrupted run draws. Every argument is a non-negative safe integer.
 */
export function maskSeed(seed: number, site: number, call: number): number {
  let h = fmix32(GOLDEN);
  for (const word of [
    seed % TWO_POW_32,
    Math.floor(seed / TWO_POW_32),
    site,
    call % TWO_POW_32,
    Math.floor(call / TWO_POW_32),
  ])
    h = fmix32(((h ^ word) + GOLDEN) >>> 0);
  return h;
}
