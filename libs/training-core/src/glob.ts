/**
 * Whole-name glob match: `*` any run of characters, `?` one character, everything else literal
 * (layer names such as `stage0_block1_conv0`, variable names such as `dense_1/kernel`).
 *
 * Matched directly rather than through a RegExp: a pattern comes from a request, and a RegExp
 * built from it can be too large to compile or backtrack exponentially (`*a*a*a*...b`). This
 * greedy two-pointer walk backtracks only to the last `*`, so it takes O(pattern x name) at worst.
 */
export function globMatch(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let star = -1; // position in pattern after the last `*`
  let resume = 0; // position in name that `*` has absorbed up to
  while (n < name.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === name[n])) {
      p++;
      n++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = ++p;
      resume = n;
    } else if (star >= 0) {
      p = star;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}
