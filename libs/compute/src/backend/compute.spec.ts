import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { computeInfo, initCompute } from './compute';

describe('initCompute', () => {
  it('rejects an unknown ATHANOR_BACKEND naming the variable, and a corrected environment then works', async () => {
    await expect(initCompute({ ATHANOR_BACKEND: 'tpu' })).rejects.toThrow(/ATHANOR_BACKEND/);
    expect(() => computeInfo()).toThrow(/initCompute/);

    const info = await initCompute({ ATHANOR_WASM_THREADS: '1' });
    // On machines without libtensorflow both native packages are rejected with a reason.
    const names = info.tried.map((t) => t.name);
    expect(names[names.length - 1]).toBe(info.backend);
    for (const attempt of info.tried.slice(0, -1)) {
      expect(attempt.ok).toBe(false);
      expect(attempt.reason.length).toBeGreaterThan(0);
    }
    expect(info.tried[0]?.name).toBe('tfjs-node-gpu');
    if (info.backend === 'wasm') {
      expect(info.tried[0]?.reason).toMatch(/tfjs-node-gpu is not installed|GPU|tfjs-node-gpu/);
    }
    expect(tf.getBackend()).toBe(info.tfBackend);
  }, 30_000);

  it('is idempotent: later calls return the first answer whatever the environment says', async () => {
    const first = await initCompute({ ATHANOR_WASM_THREADS: '1' });
    const again = await initCompute({ ATHANOR_BACKEND: 'cpu' });
    expect(again).toBe(first);
    expect(computeInfo()).toBe(first);
  });
});
