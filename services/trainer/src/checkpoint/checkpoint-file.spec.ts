import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointFileError, readCheckpointFile, writeCheckpointFile } from './checkpoint-file';

const dir = mkdtempSync(join(tmpdir(), 'athanor-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkpoint files', () => {
  it('round-trips a header and float32 blobs and leaves no temporary file', () => {
    const path = join(dir, 'a.ckpt');
    const blobs = new Map([
      ['w/0', Float32Array.from([1, 2, 3])],
      ['w/1', Float32Array.from([-0.5])],
    ]);
    const size = writeCheckpointFile(path, { step: 12 }, blobs);
    expect(size).toBe(readFileSync(path).length);
    const file = readCheckpointFile(path);
    expect(file.header.step).toBe(12);
    expect([...file.blob('w/0')]).toEqual([1, 2, 3]);
    expect([...file.blob('w/1')]).toEqual([-0.5]);
    expect(readdirSync(dir)).toEqual(['a.ckpt']);
  });

  it('replaces an older checkpoint atomically (a rename, never a partial write)', () => {
    const path = join(dir, 'b.ckpt');
    writeCheckpointFile(path, { step: 1 }, new Map([['x', new Float32Array(10)]]));
    writeCheckpointFile(path, { step: 2 }, new Map([['x', new Float32Array(20)]]));
    expect(readCheckpointFile(path).header.step).toBe(2);
    expect(readdirSync(dir).filter((f) => f.startsWith('b.ckpt'))).toEqual(['b.ckpt']);
  });

  it('rejects a truncated or foreign file', () => {
    const path = join(dir, 'c.ckpt');
    writeCheckpointFile(path, { step: 1 }, new Map([['x', new Float32Array(10)]]));
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 4));
    expect(() => readCheckpointFile(path)).toThrow(/truncated/);
    writeFileSync(path, 'hello world, not a checkpoint');
    expect(() => readCheckpointFile(path)).toThrow(CheckpointFileError);
  });
});
