import { describe, expect, it } from 'vitest';
import { normalCdf, normalQuantile } from './normal-cdf';

// Reference values: Python's statistics.NormalDist, except Phi(-8) = erfc(8 / sqrt 2) / 2 (the tail,
// where 0.5 * (1 + erf) loses its digits).
describe('normal CDF and quantile', () => {
  it.each([
    [0, 0.5],
    [1.959963984540054, 0.975],
    [-3, 0.0013498980316301],
    [-8, 6.220960574271785e-16],
  ])('Phi(%f) = %f to 1.2e-7 relative', (x, p) => {
    expect(Math.abs(normalCdf(x) - p) / p).toBeLessThan(1.2e-7);
  });

  it.each([
    [0.975, 1.959963984540054],
    [0.5, 0],
    [0.01, -2.3263478740408408],
    [1e-10, -6.361340902404056],
    [0.999, 3.090232306167813],
  ])('Phi^-1(%f) = %f to 1.2e-9 relative', (p, x) => {
    expect(Math.abs(normalQuantile(p) - x)).toBeLessThanOrEqual(1.2e-9 * Math.max(1, Math.abs(x)));
  });
});
