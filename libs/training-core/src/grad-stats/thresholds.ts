import { check } from '../errors';

/** Where a gradient norm is flagged. */
export interface GradThresholds {
  /** A finite L2 norm below this is vanishing; default 1e-7 (float32 updates stop mattering). */
  readonly vanishingNorm: number;
  /** An L2 norm above this, or a non-finite one, is exploding; default 1e3. */
  readonly explodingNorm: number;
}

export const DEFAULT_GRAD_THRESHOLDS: GradThresholds = { vanishingNorm: 1e-7, explodingNorm: 1e3 };

export function resolveThresholds(overrides: Partial<GradThresholds> = {}): GradThresholds {
  const t = { ...DEFAULT_GRAD_THRESHOLDS, ...overrides };
  check(
    Number.isFinite(t.vanishingNorm) && t.vanishingNorm >= 0,
    'thresholds.vanishingNorm',
    `must be finite and >= 0, got ${t.vanishingNorm}`,
  );
  check(
    t.explodingNorm > t.vanishingNorm,
    'thresholds.explodingNorm',
    `must be > vanishingNorm (${t.vanishingNorm}), got ${t.explodingNorm}`,
  );
  return t;
}
