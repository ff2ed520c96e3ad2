import { describe, expect, it } from 'vitest';
import { exampleSizeOf, type ExampleSet } from './example-set';
import { generateSynthetic } from './synthetic';

/** Accuracy on `test` of the nearest-class-mean rule fitted on `train` (a stand-in for a model). */
function nearestMeanAccuracy(train: ExampleSet, test: ExampleSet, numClasses: number): number {
  const d = exampleSizeOf(train.exampleShape);
  const means = new Float64Array(numClasses * d);
  const counts = new Float64Array(numClasses);
  for (let i = 0; i < train.size; i++) {
    const y = train.labels[i];
    counts[y]++;
    for (let j = 0; j < d; j++) means[y * d + j] += train.features[i * d + j];
  }
  for (let c = 0; c < numClasses; c++) for (let j = 0; j < d; j++) means[c * d + j] /= Math.max(1, counts[c]);
  let correct = 0;
  for (let i = 0; i < test.size; i++) {
    let best = -1;
    let bestDist = Infinity;
    for (let c = 0; c < numClasses; c++) {
      let dist = 0;
      for (let j = 0; j < d; j++) dist += (test.features[i * d + j] - means[c * d + j]) ** 2;
      if (dist < bestDist) [best, bestDist] = [c, dist];
    }
    if (best === test.labels[i]) correct++;
  }
  return correct / test.size;
}

describe('generateSynthetic', () => {
  it('is a pure function of its options', () => {
    const a = generateSynthetic({ exampleShape: [4, 4, 1], seed: 3, trainExamples: 50 });
    const b = generateSynthetic({ exampleShape: [4, 4, 1], seed: 3, trainExamples: 50 });
    const c = generateSynthetic({ exampleShape: [4, 4, 1], seed: 4, trainExamples: 50 });
    expect([...a.train.features]).toEqual([...b.train.features]);
    expect([...a.validation.labels]).toEqual([...b.validation.labels]);
    expect([...a.train.features]).not.toEqual([...c.train.features]);
    expect(a.train.size).toBe(50);
    expect(a.validation.size).toBe(256);
  });

  it('is learnable: a nearest-class-mean rule is far above chance', () => {
    const numClasses = 10;
    const { train, validation } = generateSynthetic({
      exampleShape: [16],
      numClasses,
      trainExamples: 2000,
      validationExamples: 500,
    });
    const accuracy = nearestMeanAccuracy(train, validation, numClasses);
    expect(accuracy).toBeGreaterThan(0.8); // chance is 0.1
    expect(accuracy).toBeLessThan(1); // and not trivial at this noise level
  });

  it('replaces about the requested share of training labels, always by another class', () => {
    const options = { exampleShape: [2], numClasses: 5, trainExamples: 4000, seed: 1 };
    const clean = generateSynthetic(options);
    const noisy = generateSynthetic({ ...options, labelNoise: 0.2 });
    expect([...noisy.train.features]).toEqual([...clean.train.features]);
    let changed = 0;
    for (let i = 0; i < clean.train.size; i++) if (noisy.train.labels[i] !== clean.train.labels[i]) changed++;
    expect(changed / clean.train.size).toBeGreaterThan(0.17);
    expect(changed / clean.train.size).toBeLessThan(0.23);
    expect([...noisy.validation.labels]).toEqual([...clean.validation.labels]);
  });

  it('validates every option, naming it', () => {
    expect(() => generateSynthetic({ exampleShape: [] })).toThrow(/^synthetic\.exampleShape/);
    expect(() => generateSynthetic({ exampleShape: [2, 0] })).toThrow(/^synthetic\.exampleShape/);
    expect(() => generateSynthetic({ exampleShape: [2], numClasses: 1, labelNoise: 1 })).toThrow(
      /synthetic\.numClasses: .*; synthetic\.labelNoise/,
    );
  });
});
