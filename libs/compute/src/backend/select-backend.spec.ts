import { describe, expect, it } from 'vitest';
import { ComputeConfigError, ComputeInitError } from '../compute-error';
import type { BackendCandidate } from './backend-candidate';
import { backendOverride } from './backend-name';
import { selectBackend } from './select-backend';

const failing = (name: BackendCandidate['name'], why: string): BackendCandidate => ({
  name,
  activate: () => Promise.reject(new Error(`${why}\nrequire stack: ...`)),
});
const working = (name: BackendCandidate['name']): BackendCandidate => ({
  name,
  activate: () => Promise.resolve({ tfBackend: name }),
});

describe('selectBackend', () => {
  it('takes the first candidate that initialises and records why the earlier ones were rejected', async () => {
    const selection = await selectBackend([
      failing('tfjs-node-gpu', 'no GPU'),
      failing('tfjs-node', 'not installed'),
      working('wasm'),
      working('cpu'),
    ]);
    expect(selection.backend).toBe('wasm');
    expect(selection.tried).toEqual([
      { name: 'tfjs-node-gpu', ok: false, reason: 'no GPU' },
      { name: 'tfjs-node', ok: false, reason: 'not installed' },
      { name: 'wasm', ok: true, reason: 'selected' },
    ]);
  });

  it("records a backend's own note as the reason it was selected", async () => {
    const noted: BackendCandidate = {
      name: 'wasm',
      activate: () => Promise.resolve({ tfBackend: 'wasm', threads: 1, note: 'selected, single-threaded' }),
    };
    const selection = await selectBackend([noted]);
    expect(selection.tried).toEqual([{ name: 'wasm', ok: true, reason: 'selected, single-threaded' }]);
    expect(selection).not.toHaveProperty('note');
    expect(selection.threads).toBe(1);
  });

  it('tries only the overriding backend, even when an earlier one would work', async () => {
    const selection = await selectBackend([working('tfjs-node'), working('wasm'), working('cpu')], 'cpu');
    expect(selection.backend).toBe('cpu');
    expect(selection.tried).toEqual([{ name: 'cpu', ok: true, reason: 'selected' }]);
  });

  it('fails naming the override and its reason when the overriding backend cannot start', async () => {
    const attempt = selectBackend([working('wasm'), failing('tfjs-node', 'not installed')], 'tfjs-node');
    await expect(attempt).rejects.toBeInstanceOf(ComputeInitError);
    await expect(attempt).rejects.toThrow(/ATHANOR_BACKEND=tfjs-node.*not installed/);
  });
});

describe('backendOverride', () => {
  it('is undefined when ATHANOR_BACKEND is unset or empty', () => {
    expect(backendOverride({})).toBeUndefined();
    expect(backendOverride({ ATHANOR_BACKEND: ' ' })).toBeUndefined();
  });

  it('accepts the known names', () => {
    expect(backendOverride({ ATHANOR_BACKEND: 'wasm' })).toBe('wasm');
    expect(backendOverride({ ATHANOR_BACKEND: 'tfjs-node-gpu' })).toBe('tfjs-node-gpu');
  });

  it('rejects an unknown name, naming the variable', () => {
    expect(() => backendOverride({ ATHANOR_BACKEND: 'webgpu' })).toThrow(ComputeConfigError);
    expect(() => backendOverride({ ATHANOR_BACKEND: 'webgpu' })).toThrow(/ATHANOR_BACKEND.*webgpu/);
  });
});
