import { trainer } from '@athanor/contracts';
import { describe, expect, it } from 'vitest';
import { formatLrFind } from './lr-find';

describe('athanor lr-find', () => {
  it('charts the smoothed loss and prints the suggestions', () => {
    const points = Array.from({ length: 30 }, (_, i) => ({
      iteration: i,
      lr: 1e-5 * 10 ** (i / 5),
      loss: 2 - Math.sin(i / 10),
      smoothedLoss: 2 - Math.sin(i / 10),
    }));
    const text = formatLrFind(
      trainer.FindLearningRateResponse.fromPartial({
        points,
        diverged: true,
        suggestions: { steepest: 1e-3, minimumDiv10: 1e-2, valley: 3e-3, recommended: 3e-3 },
      }),
    );
    expect(text).toContain('smoothed loss over 30 iterations, lr 1e-5 -> 6.31 (log scale)');
    expect(text).toContain('(stopped: the loss diverged)');
    expect(text).toMatch(/suggested lr: +0.003$/m);
    expect(text).toContain('•');
  });
});
