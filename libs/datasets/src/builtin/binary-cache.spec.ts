import { readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../test-support/temp-dir';
import { readBinaryCache, writeBinaryCache } from './binary-cache';

describe('binary cache', () => {
  const temp = makeTempDir('cache');
  afterAll(temp.cleanup);
  const key = { dataset: 'x', converter: 1 };
  const sections = [
    { name: 'a', data: Uint8Array.from([1, 2, 3]) },
    { name: 'b', data: new Uint8Array(1000).fill(7) },
  ];

  it('round-trips sections and leaves no temporary file behind', async () => {
    const file = path.join(temp.dir, 'nested', 'x.bin');
    await writeBinaryCache(file, key, sections);
    expect(readdirSync(path.dirname(file))).toEqual(['x.bin']);
    const read = await readBinaryCache(file, key);
    expect('sections' in read && [...read.sections.get('a')!]).toEqual([1, 2, 3]);
    expect('sections' in read && read.sections.get('b')!.length).toBe(1000);
  });

  it('reports a missing, stale, truncated, corrupted or foreign file as a miss', async () => {
    const file = path.join(temp.dir, 'y.bin');
    expect(await readBinaryCache(file, key)).toEqual({ miss: 'missing' });
    await writeBinaryCache(file, key, sections);
    expect(await readBinaryCache(file, { ...key, converter: 2 })).toEqual({ miss: 'stale' });

    const whole = readFileSync(file);
    truncateSync(file, whole.length - 10);
    expect(await readBinaryCache(file, key)).toEqual({ miss: 'truncated' });
    truncateSync(file, 20);
    expect(await readBinaryCache(file, key)).toEqual({ miss: 'truncated' });

    const corrupted = Buffer.from(whole);
    corrupted[corrupted.length - 1] ^= 0xff;
    writeFileSync(file, corrupted);
    expect(await readBinaryCache(file, key)).toEqual({ miss: 'checksum' });

    writeFileSync(file, Buffer.concat([whole, Buffer.from([0])]));
    expect(await readBinaryCache(file, key)).toEqual({ miss: 'truncated' });

    writeFileSync(file, 'not a cache at all');
    expect(await readBinaryCache(file, key)).toEqual({ miss: 'bad-magic' });
  });
});
