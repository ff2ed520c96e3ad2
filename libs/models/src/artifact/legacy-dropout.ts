import { SeededDropout } from '../layers';

/**
 * Artifacts saved before AthanorDropout existed name tfjs's Dropout, which seeds every mask from
 * Math.random (its `seed` option would repeat one mask forever). Such a topology loads with
 * AthanorDropout in its place, so runs that start from it are seeded too; inference is unchanged
 * (both are the identity). Returns a rewritten copy; the input is not modified.
 */
export function upgradeLegacyDropout(topology: unknown): unknown {
  if (Array.isArray(topology)) return topology.map(upgradeLegacyDropout);
  if (topology === null || typeof topology !== 'object') return topology;
  const node = topology as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = upgradeLegacyDropout(value);
  if (node.class_name === 'Dropout' && typeof node.config === 'object' && node.config !== null) {
    const { seed: _seed, ...config } = out.config as Record<string, unknown>;
    out.class_name = SeededDropout.className;
    out.config = config;
  }
  return out;
}
