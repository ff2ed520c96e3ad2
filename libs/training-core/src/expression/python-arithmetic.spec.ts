import { describe, expect, it } from 'vitest';
import { pyFloorDiv, pyMod } from './python-arithmetic';

describe('Python float arithmetic', () => {
  // Values printed by CPython 3: e.g. python3 -c "print(-7.5 % 2, -7.5 // 2)".
  it.each([
    [7, 3, 1, 2],
    [-7, 3, 2, -3],
    [7, -3, -2, -3],
    [-7, -3, -1, 2],
    [-7.5, 2, 0.5, -4],
    [0.3, 0.1, 0.09999999999999998, 2],
    [6, 3, 0, 2],
  ])('%d %% %d == %d and %d // %d', (a, b, mod, div) => {
    expect(pyMod(a, b)).toBe(mod);
    expect(pyFloorDiv(a, b)).toBe(div);
  });

  it('gives the zero remainder the divisor sign, as CPython does', () => {
    expect(Object.is(pyMod(6, -3), -0)).toBe(true);
    expect(Object.is(pyMod(-6, 3), 0)).toBe(true);
  });
});
