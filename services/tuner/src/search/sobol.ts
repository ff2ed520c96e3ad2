// Sobol' sequence (Sobol' 1967) with Joe & Kuo's direction numbers (new-joe-kuo-6.21201, first 16
// dimensions), scrambled by a seeded random digital shift (XOR), which keeps its (t, m, s)-net structure.

/** [s, a, m_1..m_s] for dimensions 2..16 (dimension 1 is the van der Corput sequence). */
const DIRECTIONS: readonly (readonly number[])[] = [
  [1, 0, 1],
  [2, 1, 1, 3],
  [3, 1, 1, 3, 1],
  [3, 2, 1, 1, 1],
  [4, 1, 1, 1, 3, 3],
  [4, 4, 1, 3, 5, 13],
  [5, 2, 1, 1, 5, 5, 17],
  [5, 4, 1, 1, 5, 5, 5],
  [5, 7, 1, 1, 7, 11, 19],
  [5, 11, 1, 1, 5, 1, 1],
  [5, 13, 1, 1, 1, 3, 11],
  [5, 14, 1, 3, 5, 5, 31],
  [6, 1, 1, 3, 3, 9, 7, 49],
  [6, 13, 1, 1, 1, 15, 21, 21],
  [6, 16, 1, 3, 1, 13, 27, 49],
];

const BITS = 32;

/** Dimensions the table covers; more are filled by the caller (e.g. Halton). */
export const SOBOL_MAX_DIMENSIONS = DIRECTIONS.length + 1;

function directionNumbers(dimension: number): Uint32Array {
  const v = new Uint32Array(BITS);
  if (dimension === 0) {
    for (let k = 0; k < BITS; k++) v[k] = (1 << (BITS - 1 - k)) >>> 0;
    return v;
  }
  const [s, a, ...m] = DIRECTIONS[dimension - 1];
  for (let k = 0; k < BITS; k++) {
    if (k < s) {
      v[k] = (m[k] << (BITS - 1 - k)) >>> 0;
      continue;
    }
    let x = (v[k - s] ^ (v[k - s] >>> s)) >>> 0;
    for (let i = 1; i < s; i++) if ((a >>> (s - 1 - i)) & 1) x = (x ^ v[k - i]) >>> 0;
    v[k] = x;
  }
  return v;
}

export class Sobol {
  private readonly v: Uint32Array[];

  /** @param shifts one 32-bit XOR mask per dimension (all 0: the plain sequence). */
  constructor(
    readonly dimensions: number,
    private readonly shifts: readonly number[] = [],
  ) {
    if (dimensions > SOBOL_MAX_DIMENSIONS)
      throw new RangeError(`Sobol: at most ${SOBOL_MAX_DIMENSIONS} dimensions`);
    this.v = Array.from({ length: dimensions }, (_, d) => directionNumbers(d));
  }

  /** The n-th point (n >= 0) in [0, 1)^d. */
  point(n: number): number[] {
    const out: number[] = [];
    for (let d = 0; d < this.dimensions; d++) {
      let x = 0;
      let bits = n;
      for (let k = 0; bits > 0 && k < BITS; k++, bits = Math.floor(bits / 2))
        if (bits % 2 === 1) x = (x ^ this.v[d][k]) >>> 0;
      out.push(((x ^ (this.shifts[d] ?? 0)) >>> 0) / 2 ** BITS);
    }
    return out;
  }
}
