import { realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ValidationError } from '@athanor/training-core';

function inside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Resolves `relative` against the data root and proves the result stays inside it, twice: once on
 * the text (`..` and absolute paths elsewhere) and once on the real path, because a symlink inside
 * the root may point anywhere. Returns the real path of an existing regular file.
 *
 * @param field the option's name for error messages, e.g. `files.trainPath`.
 */
export function resolveDataPath(dataRoot: string, relative: string, field: string): string {
  const fail = (description: string): never => {
    throw new ValidationError({ field, description });
  };
  if (typeof relative !== 'string' || relative.trim() === '') fail('must be a non-empty path');
  if (relative.includes('\0')) fail('must not contain NUL bytes');
  const root = path.resolve(dataRoot);
  const lexical = path.resolve(root, relative);
  if (!inside(root, lexical)) fail(`"${relative}" escapes the data root ${root}`);
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    return fail(`the data root ${root} does not exist`);
  }
  let real: string;
  try {
    real = realpathSync(lexical);
  } catch {
    return fail(`"${relative}" does not exist under the data root ${root}`);
  }
  if (!inside(realRoot, real))
    fail(`"${relative}" resolves (through a symlink) outside the data root ${root}`);
  if (!statSync(real).isFile()) fail(`"${relative}" is not a regular file`);
  return real;
}
