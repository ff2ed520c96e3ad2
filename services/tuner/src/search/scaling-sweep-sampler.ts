import { randomParams, trialRng } from './random-sampler';
import type { Sampler, SampleContext } from './sampler';
import type { Params, Space } from './space';

/**
 * Walks the allowed batch sizes smallest first, `repeats` trials each; the scaling policy then
 * derives each trial's LR and warm-up. Other parameters of the space are drawn at random.
 */
export function scalingSweepSampler(
  space: Space,
  seed: number,
  options: { batchSizes: readonly number[]; repeats: number; batchParam: string },
): Sampler {
  const others = space.filter((p) => p.name !== options.batchParam);
  const size = options.batchSizes.length * options.repeats;
  return {
    needsHistory: false,
    size,
    propose({ number }: SampleContext): Params | undefined {
      if (number >= size) return undefined;
      return {
        ...randomParams(others, trialRng(seed, number)),
        [options.batchParam]: options.batchSizes[Math.floor(number / options.repeats)],
      };
    },
  };
}
