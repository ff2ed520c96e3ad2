import { Rng, ValidationError, type FieldViolation } from '@athanor/training-core';
import { deriveSeed, STREAM } from '../seeds';

/** Mirrors `athanor.training.v1.AugmentationSpec` (training split only). */
export interface AugmentationOptions {
  /** Zero padding on each side, then a crop back to the original size at a random offset. Unset: off. */
  readonly randomCrop?: { readonly padding: number };
  /** Mirror left-right with probability `horizontalFlipProbability`. Default false. */
  readonly horizontalFlip?: boolean;
  /** Default 0.5. */
  readonly horizontalFlipProbability?: number;
}

/** One example's draw: crop offsets into the padded image and whether to mirror. */
export interface AugmentationDraw {
  readonly dy: number;
  readonly dx: number;
  readonly flip: boolean;
}

/** Validates augmentation options for an example shape; images must be HWC (rank 3). */
export function checkAugmentation(
  options: AugmentationOptions | undefined,
  exampleShape: readonly number[],
): void {
  if (!options || (!options.randomCrop && !options.horizontalFlip)) return;
  const violations: FieldViolation[] = [];
  if (exampleShape.length !== 3) {
    violations.push({
      field: 'augmentation',
      description: `needs images of shape [height, width, channels], got [${exampleShape.join(', ')}]`,
    });
  }
  const padding = options.randomCrop?.padding;
  if (options.randomCrop && !(Number.isInteger(padding) && (padding ?? 0) > 0)) {
    violations.push({
      field: 'augmentation.randomCrop.padding',
      description: `must be a positive integer, got ${padding}`,
    });
  }
  const p = options.horizontalFlipProbability ?? 0.5;
  if (!(p >= 0 && p <= 1))
    violations.push({
      field: 'augmentation.horizontalFlipProbability',
      description: `must be in [0, 1], got ${p}`,
    });
  if (violations.length > 0) throw new ValidationError(violations);
}

/**
 * The augmentation of example `index` in epoch `epoch`: drawn from a generator seeded by
 * (seed, epoch, index) alone, so it is the same whatever the batch size, order or resume point.
 */
export function drawAugmentation(
  options: AugmentationOptions,
  seed: number,
  epoch: number,
  index: number,
): AugmentationDraw {
  const rng = new Rng(deriveSeed(seed, STREAM.augmentation, epoch, index));
  const padding = options.randomCrop?.padding ?? 0;
  const dy = padding > 0 ? rng.int(2 * padding + 1) : padding;
  const dx = padding > 0 ? rng.int(2 * padding + 1) : padding;
  const flip = !!options.horizontalFlip && rng.uniform() < (options.horizontalFlipProbability ?? 0.5);
  return { dy, dx, flip };
}

/**
 * Writes one augmented, normalised image (HWC) into `out` at `outOffset`. torchvision's order:
 * RandomCrop(padding) on the raw image (the padding is raw zeros, i.e. black), then the flip, then
 * normalisation, so padded pixels normalise like black pixels.
 */
export function writeAugmented(
  src: ArrayLike<number>,
  srcOffset: number,
  shape: readonly number[],
  draw: AugmentationDraw,
  padding: number,
  multiplier: readonly number[],
  offset: readonly number[],
  out: Float32Array,
  outOffset: number,
): void {
  const [h, w, c] = shape;
  for (let y = 0; y < h; y++) {
    const sy = y + draw.dy - padding;
    for (let x = 0; x < w; x++) {
      const sx = (draw.flip ? w - 1 - x : x) + draw.dx - padding;
      const inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
      const from = srcOffset + (sy * w + sx) * c;
      const to = outOffset + (y * w + x) * c;
      for (let k = 0; k < c; k++) out[to + k] = (inside ? src[from + k] : 0) * multiplier[k] + offset[k];
    }
  }
}
