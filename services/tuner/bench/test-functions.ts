import type { Space } from '../src/search/space';

/** A standard optimisation test function over a box, with its known minimum. */
export interface TestFunction {
  readonly name: string;
  readonly space: Space;
  readonly f: (x: readonly number[]) => number;
  readonly minimum: number;
  /** Standard deviation of the additive noise in the noisy variant. */
  readonly noise: number;
}

const box = (names: string[], low: number, high: number, log = false): Space =>
  names.map((name) => ({ kind: 'double' as const, name, low, high, log }));

// Branin-Hoo (Dixon & Szegő 1978): x1 in [-5, 10], x2 in [0, 15]; minimum 0.397887.
const branin: TestFunction = {
  name: 'Branin',
  space: [
    { kind: 'double', name: 'x1', low: -5, high: 10, log: false },
    { kind: 'double', name: 'x2', low: 0, high: 15, log: false },
  ],
  f: ([x1, x2]) => {
    const b = 5.1 / (4 * Math.PI ** 2);
    const c = 5 / Math.PI;
    return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
  },
  minimum: 0.397887,
  noise: 1,
};

// Hartmann-6 on [0, 1]^6; minimum -3.32237 (Surjanovic & Bingham's library constants).
const A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const Pm = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((r) => r.map((x) => x * 1e-4));
const alpha = [1, 1.2, 3, 3.2];
const hartmann6: TestFunction = {
  name: 'Hartmann-6',
  space: box(['x1', 'x2', 'x3', 'x4', 'x5', 'x6'], 0, 1),
  f: (x) =>
    -alpha.reduce(
      (s, a, i) => s + a * Math.exp(-A[i].reduce((t, aij, j) => t + aij * (x[j] - Pm[i][j]) ** 2, 0)),
      0,
    ),
  minimum: -3.32237,
  noise: 0.1,
};

// 5-D Rosenbrock over the log-scaled box [1e-2, 10]^5 (sampled log-uniformly); minimum 0 at (1, ..., 1).
const rosenbrock5: TestFunction = {
  name: 'Rosenbrock-5 (log box)',
  space: box(['x1', 'x2', 'x3', 'x4', 'x5'], 1e-2, 10, true),
  f: (x) => {
    let s = 0;
    for (let i = 0; i < x.length - 1; i++) s += 100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2;
    return s;
  },
  minimum: 0,
  noise: 1,
};

export const TEST_FUNCTIONS: readonly TestFunction[] = [branin, hartmann6, rosenbrock5];
