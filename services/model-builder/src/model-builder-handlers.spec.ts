import { initCompute } from '@athanor/compute';
import { modelbuilder } from '@athanor/contracts';
import { compileConfig } from '@athanor/service-kit';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from './config';
import { ModelBuilderHandlers } from './model-builder-handlers';

const spec = modelbuilder.ModelSpec.fromJSON({
  inputShape: [8, 8, 1],
  numClasses: 3,
  cnn: { stages: [{ block: { channels: 4, pooling: { kind: 'POOLING_KIND_MAX' } } }] },
});
const handlers = new ModelBuilderHandlers(compileConfig(configSchema, { ATHANOR_MAX_PARAMETERS: '5000' }));

beforeAll(async () => {
  await initCompute({ ATHANOR_BACKEND: 'cpu' });
});

describe('ModelBuilderHandlers', () => {
  it('leaves no tensors behind across builds and inspections', async () => {
    const build = () => handlers.buildModel({ spec, init: undefined, batchSize: 0, summaryOnly: false });
    const inspect = () =>
      handlers.inspectInitialization({
        spec,
        candidates: [{ label: 'a', init: undefined }],
        sample: undefined,
        batchSize: 8,
        seed: 1,
      });
    await build();
    await inspect();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      await build();
      await inspect();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a spec beyond the parameter budget before allocating anything', async () => {
    const big = modelbuilder.ModelSpec.fromJSON({
      inputShape: [100],
      numClasses: 10,
      mlp: { depth: 1, width: 100 },
    });
    const before = tf.memory().numTensors;
    await expect(
      handlers.buildModel({ spec: big, init: undefined, batchSize: 0, summaryOnly: true }),
    ).rejects.toMatchObject({
      code: 8,
      message: expect.stringContaining('ATHANOR_MAX_PARAMETERS') as unknown,
    });
    expect(tf.memory().numTensors).toBe(before);
    const validated = await handlers.validateModel({ spec: big, init: undefined, batchSize: 0 });
    expect(validated).toMatchObject({ valid: true, exceedsBudget: true });
  });

  it('runs queued requests one at a time and checks the deadline', async () => {
    const past = () => Date.now() - 1;
    await expect(
      handlers.buildModel({ spec, init: undefined, batchSize: 0, summaryOnly: true }, { getDeadline: past }),
    ).rejects.toMatchObject({ code: 4 });
  });
});
