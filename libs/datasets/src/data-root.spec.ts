import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '@athanor/training-core';
import { resolveDataPath } from './data-root';
import { makeTempDir } from './test-support/temp-dir';

describe('resolveDataPath', () => {
  const temp = makeTempDir('root');
  const root = path.join(temp.dir, 'data');
  const outside = path.join(temp.dir, 'secret.csv');

  beforeAll(() => {
    mkdirSync(path.join(root, 'sub'), { recursive: true });
    writeFileSync(path.join(root, 'sub', 'a.csv'), 'x,y\n1,0\n');
    writeFileSync(outside, 'x,y\n1,0\n');
    symlinkSync(outside, path.join(root, 'link-out.csv'));
    symlinkSync(path.join(root, 'sub', 'a.csv'), path.join(root, 'link-in.csv'));
    symlinkSync(temp.dir, path.join(root, 'dir-out'));
  });
  afterAll(temp.cleanup);

  it('resolves relative paths, absolute paths inside the root and symlinks that stay inside', () => {
    const real = resolveDataPath(root, 'sub/a.csv', 'files.trainPath');
    expect(real.endsWith(path.join('sub', 'a.csv'))).toBe(true);
    expect(resolveDataPath(root, path.join(root, 'sub', 'a.csv'), 'f')).toBe(real);
    expect(resolveDataPath(root, 'sub/../sub/a.csv', 'f')).toBe(real);
    expect(resolveDataPath(root, 'link-in.csv', 'f')).toBe(real);
  });

  it.each([
    ['../secret.csv', /escapes the data root/],
    ['sub/../../secret.csv', /escapes the data root/],
    ['/etc/passwd', /escapes the data root/],
    ['link-out.csv', /through a symlink\) outside/],
    ['dir-out/secret.csv', /through a symlink\) outside/],
    ['missing.csv', /does not exist/],
    ['sub', /not a regular file/],
    ['', /non-empty/],
    ['a\0b', /NUL/],
  ])('rejects %j naming the field', (relative, message) => {
    const attempt = (): string => resolveDataPath(root, relative, 'files.trainPath');
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(message);
    expect(attempt).toThrow(/^files\.trainPath: /);
  });

  it('rejects a data root that does not exist', () => {
    expect(() => resolveDataPath(path.join(temp.dir, 'nope'), 'a.csv', 'f')).toThrow(
      /data root .* does not exist/,
    );
  });
});
