import type * as tf from '@tensorflow/tfjs-core';
import { reduceLayers } from './layer-norms';
import { resolveThresholds, type GradThresholds } from './thresholds';

export interface LayerGradStats {
  /** The key of the gradient (the variable's name). */
  readonly name: string;
  readonly size: number;
  readonly l2Norm: number;
  readonly maxAbs: number;
  /** Share of elements exactly 0 (dead ReLUs, unused embeddings); 0 for an empty tensor. */
  readonly zeroFraction: number;
  readonly vanishing: boolean;
  readonly exploding: boolean;
}

export interface GradStats {
  readonly layers: readonly LayerGradStats[];
  /** sqrt of the sum of the squared layer norms: the norm clipGradNorm clips. */
  readonly globalL2Norm: number;
  readonly maxAbs: number;
  readonly zeroFraction: number;
  readonly vanishing: boolean;
  readonly exploding: boolean;
  readonly vanishingLayers: readonly string[];
  readonly explodingLayers: readonly string[];
  readonly thresholds: GradThresholds;
}

/**
 * Per-layer and global gradient statistics, with vanishing/exploding flags (the seed guide: look at
 * each layer's gradients to see whether they vanish). One tidy, one download; the gradients are
 * not disposed.
 */
export async function gradStats(
  grads: tf.NamedTensorMap,
  thresholds: Partial<GradThresholds> = {},
): Promise<GradStats> {
  const t = resolveThresholds(thresholds);
  const names = Object.keys(grads);
  const reductions = await reduceLayers(
    names.map((n) => grads[n]),
    2,
  );
  const flag = (norm: number, size: number) => ({
    vanishing: size > 0 && Number.isFinite(norm) && norm < t.vanishingNorm,
    exploding: !Number.isFinite(norm) || norm > t.explodingNorm,
  });
  const layers = reductions.map((r, i) => ({
    name: names[i],
    size: r.size,
    l2Norm: r.norm,
    maxAbs: r.maxAbs,
    zeroFraction: r.size === 0 ? 0 : r.zeros / r.size,
    ...flag(r.norm, r.size),
  }));
  const size = layers.reduce((s, l) => s + l.size, 0);
  const globalL2Norm = Math.sqrt(layers.reduce((s, l) => s + l.l2Norm * l.l2Norm, 0));
  // Math.max propagates NaN, as torch's max does.
  const maxAbs = layers.length === 0 ? 0 : Math.max(...layers.map((l) => l.maxAbs));
  return {
    layers,
    globalL2Norm,
    maxAbs,
    zeroFraction: size === 0 ? 0 : reductions.reduce((s, r) => s + r.zeros, 0) / size,
    ...flag(globalL2Norm, size),
    vanishingLayers: layers.filter((l) => l.vanishing).map((l) => l.name),
    explodingLayers: layers.filter((l) => l.exploding).map((l) => l.name),
    thresholds: t,
  };
}
