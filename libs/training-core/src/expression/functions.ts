/** The names an expression may use besides its variables: Python's math functions and constants. */
export interface ExpressionFunction {
  readonly minArgs: number;
  readonly maxArgs: number;
  readonly apply: (args: readonly number[]) => number;
}

// Each mirrors the Python callable used in the fixtures (builtins min/max, the rest from `math`).
export const FUNCTIONS: Readonly<Record<string, ExpressionFunction>> = {
  min: { minArgs: 2, maxArgs: Infinity, apply: (a) => a.reduce((m, x) => (x < m ? x : m)) },
  max: { minArgs: 2, maxArgs: Infinity, apply: (a) => a.reduce((m, x) => (x > m ? x : m)) },
  exp: { minArgs: 1, maxArgs: 1, apply: ([x]) => Math.exp(x) },
  // math.log(x, base) is log(x) / log(base) in CPython.
  log: {
    minArgs: 1,
    maxArgs: 2,
    apply: ([x, base]) => (base === undefined ? Math.log(x) : Math.log(x) / Math.log(base)),
  },
  cos: { minArgs: 1, maxArgs: 1, apply: ([x]) => Math.cos(x) },
  sin: { minArgs: 1, maxArgs: 1, apply: ([x]) => Math.sin(x) },
  sqrt: { minArgs: 1, maxArgs: 1, apply: ([x]) => Math.sqrt(x) },
  floor: { minArgs: 1, maxArgs: 1, apply: ([x]) => Math.floor(x) },
  ceil: { minArgs: 1, maxArgs: 1, apply: ([x]) => Math.ceil(x) },
  abs: { minArgs: 1, maxArgs: 1, apply: ([x]) => Math.abs(x) },
};

export const CONSTANTS: Readonly<Record<string, number>> = { pi: Math.PI, e: Math.E };
