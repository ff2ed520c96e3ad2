import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors';
import { resolveInside } from './path-root';

// A real directory tree: root/ with data and links, and a secret next to it.
let base: string;
let root: string;

function refusal(path: string): InvalidArgumentError {
  try {
    resolveInside(root, path, 'dataset.path');
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    return err as InvalidArgumentError;
  }
  throw new Error(`expected ${path} to be refused`);
}

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'athanor-root-')));
  root = join(base, 'root');
  mkdirSync(join(root, 'mnist'), { recursive: true });
  writeFileSync(join(root, 'mnist', 'train.csv'), '1,2\n');
  mkdirSync(join(base, 'outside'));
  writeFileSync(join(base, 'outside', 'secret'), 'x');
  symlinkSync(join(base, 'outside'), join(root, 'escape')); // a directory link out
  symlinkSync(join(base, 'outside', 'secret'), join(root, 'secret-link')); // a file link out
  symlinkSync(join(root, 'mnist'), join(root, 'alias')); // a link that stays inside
  symlinkSync(join(base, 'outside', 'missing'), join(root, 'dangling')); // points out, to nothing
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('resolveInside', () => {
  it('resolves existing and not-yet-existing paths inside the root', () => {
    expect(resolveInside(root, 'mnist/train.csv', 'f')).toBe(join(root, 'mnist', 'train.csv'));
    expect(resolveInside(root, 'runs/r1/ckpt-3', 'f')).toBe(join(root, 'runs', 'r1', 'ckpt-3'));
    expect(resolveInside(root, './mnist', 'f')).toBe(join(root, 'mnist'));
  });

  it('follows links that stay inside, to their real target', () => {
    expect(resolveInside(root, 'alias/train.csv', 'f')).toBe(join(root, 'mnist', 'train.csv'));
  });

  it('refuses .. and names the field', () => {
    const err = refusal('../outside/secret');
    expect(err.violations).toHaveLength(1);
    expect(err.violations[0].field).toBe('dataset.path');
    expect(err.violations[0].description).toContain('must not contain "..", got "../outside/secret"');
    refusal('mnist/../../outside');
    refusal('mnist/..'); // stays inside, still refused: the rule is simple to audit
    refusal('mnist\\..\\..\\outside');
  });

  it('refuses absolute paths', () => {
    expect(refusal('/etc/passwd').message).toMatch(/^dataset\.path: must be a relative path/);
    refusal(join(root, 'mnist')); // even one inside the root
    refusal('C:\\Windows');
  });

  it('refuses symbolic links out of the root, existing or dangling', () => {
    expect(refusal('escape/secret').message).toMatch(/leaves the data root through a symbolic link/);
    refusal('escape');
    refusal('secret-link');
    refusal('escape/new-file'); // a file to be written through a directory link out
    refusal('dangling');
  });

  it('refuses empty paths and NUL bytes', () => {
    refusal('');
    refusal('mnist\0/x');
  });
});
