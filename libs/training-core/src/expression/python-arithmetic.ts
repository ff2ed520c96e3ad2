// Python's float semantics for the operators whose JavaScript meaning differs, so an expression
// gives the same number as the PyTorch lambda it stands for (CPython Objects/floatobject.c).

/** Python's `a % b`: the result takes the divisor's sign (JavaScript's `%` takes the dividend's). */
export function pyMod(a: number, b: number): number {
  // float_rem: fmod, then move into the divisor's sign; a zero result carries the divisor's sign.
  let mod = a % b;
  if (mod !== 0) {
    if (b < 0 !== mod < 0) mod += b;
  } else {
    mod = b < 0 ? -0 : 0;
  }
  return mod;
}

/** Python's `a // b` on floats (float_floor_div via _float_div_mod). */
export function pyFloorDiv(a: number, b: number): number {
  const mod = a % b;
  let div = (a - mod) / b;
  if (mod !== 0 && b < 0 !== mod < 0) div -= 1;
  if (div === 0) return a / b < 0 ? -0 : 0;
  const floorDiv = Math.floor(div);
  return div - floorDiv > 0.5 ? floorDiv + 1 : floorDiv;
}
