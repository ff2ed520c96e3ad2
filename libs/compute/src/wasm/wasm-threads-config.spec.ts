import { describe, expect, it } from 'vitest';
import { wasmThreads } from './wasm-threads-config';

describe('wasmThreads', () => {
  it('defaults to the usable cores, at most 8', () => {
    const threads = wasmThreads({});
    expect(threads).toBeGreaterThanOrEqual(1);
    expect(threads).toBeLessThanOrEqual(8);
  });

  it('reads ATHANOR_WASM_THREADS and rejects nonsense naming the variable', () => {
    expect(wasmThreads({ ATHANOR_WASM_THREADS: '2' })).toBe(2);
    expect(() => wasmThreads({ ATHANOR_WASM_THREADS: '0' })).toThrow(/ATHANOR_WASM_THREADS/);
    expect(() => wasmThreads({ ATHANOR_WASM_THREADS: 'many' })).toThrow(/ATHANOR_WASM_THREADS/);
  });
});
