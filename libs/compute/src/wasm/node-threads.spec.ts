import { describe, expect, it } from 'vitest';
import { releasePoolThreads } from './node-threads';
import { pthreadWorkerSource } from './pthread-worker-source';

describe('node-threads', () => {
  it('unrefs the workers that run pool threads, so a finished script can exit', () => {
    let released = 0;
    const worker = { unref: () => void released++ };
    releasePoolThreads({ PThread: { runningWorkers: [worker, worker] } });
    releasePoolThreads({});
    expect(released).toBe(2);
  });

  it('builds a worker source that loads the threaded build from the installed package', () => {
    const source = pthreadWorkerSource();
    expect(source).toContain('tfjs-backend-wasm-threaded-simd.js');
    expect(source).toContain('tfjs-backend-wasm-threaded-simd.worker.js');
    expect(source).not.toContain('blob:nodedata');
  });
});
