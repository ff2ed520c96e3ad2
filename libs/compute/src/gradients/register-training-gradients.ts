import { getGradient, registerGradient } from '@tensorflow/tfjs';
import { tileGradConfig } from './tile-grad';

/**
 * Replaces tfjs-core gradients whose cost grows with a tensor's repetitions rather than its size.
 * Mathematically identical, so it is done for every backend. Idempotent.
 */
export function registerTrainingGradients(): void {
  if (getGradient(tileGradConfig.kernelName)?.gradFunc === tileGradConfig.gradFunc) return;
  registerGradient(tileGradConfig);
}
