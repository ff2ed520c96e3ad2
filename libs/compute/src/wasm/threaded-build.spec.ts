import * as tf from '@tensorflow/tfjs';
import { backend_util } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { computeInfo } from '../backend/compute';
import { randomBatches, sgdTrainer } from '../bench/train-step';
import { REFERENCE_MODELS } from '../bench/reference-models';
import { randomHost, relativeErrorVsCpu, wasmReady } from '../testing/compare-with-cpu';

describe('the threaded-SIMD wasm build under Node', () => {
  it('starts with two XNNPACK threads and computes what the cpu backend computes', async () => {
    await wasmReady(2);
    expect(computeInfo()).toMatchObject({ backend: 'wasm', threads: 2 });
    const error = await relativeErrorVsCpu(
      'BatchMatMul',
      { a: randomHost([300, 200]), b: randomHost([200, 100]) },
      { transposeA: false, transposeB: false },
    );
    expect(error).toBeLessThan(1e-4);
  }, 30_000);

  it.each([
    [[4, 14, 14, 16], [3, 3, 16, 32], 'same'],
    [[2, 9, 7, 8], [3, 2, 8, 5], 'valid'],
    [[1, 6, 5, 12], [2, 3, 12, 4], 'same'],
  ] as const)(
    'computes stride-1 filter gradients as a swapped convolution: x %j, filter %j, %s',
    async (x, f, pad) => {
      await wasmReady(2);
      const info = backend_util.computeConv2DInfo([...x], [...f], 1, 1, pad);
      const error = await relativeErrorVsCpu(
        'Conv2DBackpropFilter',
        { x: randomHost([...x]), dy: randomHost(info.outShape) },
        { strides: 1, pad, dataFormat: 'NHWC', filterShape: [...f] },
      );
      expect(error).toBeLessThan(1e-4);
    },
  );

  it('trains without leaking tensors', async () => {
    await wasmReady(2);
    const spec = REFERENCE_MODELS.find((m) => m.name === 'reference-cnn')!;
    const model = spec.build([6, 6, 1]);
    const trainer = sgdTrainer(model);
    const batches = randomBatches(2, 2, [6, 6, 1]);
    trainer.step(...batches[0]);
    const afterOne = tf.memory().numTensors;
    for (let i = 1; i < 20; i++) trainer.step(...batches[i % 2]);
    expect(tf.memory().numTensors).toBe(afterOne);
    for (const batch of batches) tf.dispose(batch);
    trainer.dispose();
    model.dispose();
  }, 30_000);
});
