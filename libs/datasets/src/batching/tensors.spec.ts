import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { BatchLoader } from './batch-loader';
import { resolveNormalization } from './normalization';
import { batchToTensors, oneHot } from './tensors';
import { datasetOf, imageSet } from '../test-support/test-sets';

describe('tensors', () => {
  it('one-hot encodes labels', () => {
    expect([...oneHot(Int32Array.from([2, 0]), 3)]).toEqual([0, 0, 1, 1, 0, 0]);
  });

  it('turns a batch into tfjs tensors (tf passes as the factory as is)', async () => {
    await tf.setBackend('cpu');
    const set = imageSet(5, 2, 2);
    const batch = new BatchLoader(set, {
      batchSize: 4,
      normalization: resolveNormalization(undefined, datasetOf(set)),
    }).batch({
      epoch: 0,
      batchIndex: 0,
    });
    const { xs, ys } = batchToTensors(tf, batch, 3);
    expect(xs.shape).toEqual([4, 2, 2, 1]);
    expect(ys.shape).toEqual([4, 3]);
    expect(Array.from(await xs.data())).toEqual([...batch.x]);
    const labels = batchToTensors(tf, batch).ys;
    expect(labels.dtype).toBe('int32');
    tf.dispose([xs, ys, labels]);
  });
});
