import type { Dataset } from '../dataset';
import type { ExampleSet } from '../example-set';

/** `n` uint8 images of `h x w x c` whose pixel values encode (example, position); tests only. */
export function imageSet(n: number, h: number, w: number, c = 1): ExampleSet {
  const d = h * w * c;
  const features = Uint8Array.from(
    { length: n * d },
    (_, i) => ((Math.floor(i / d) * 7 + (i % d)) % 250) + 1,
  );
  return {
    features,
    labels: Int32Array.from({ length: n }, (_, i) => i % 3),
    exampleShape: [h, w, c],
    size: n,
  };
}

/** A Dataset around a training set with identity storage (tests only). */
export function datasetOf(train: ExampleSet, storedScale = 1, defaultScale = 1): Dataset {
  return {
    train,
    validation: train,
    info: {
      name: 'test',
      source: 'test',
      exampleShape: train.exampleShape,
      numClasses: 3,
      trainSize: train.size,
      validationSize: train.size,
      split: 'predefined',
      skippedRows: 0,
      storedScale,
      defaultScale,
      load: { from: 'generated', millis: 0 },
    },
  };
}
