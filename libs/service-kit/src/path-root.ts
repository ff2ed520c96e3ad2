import { lstatSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { InvalidArgumentError } from './errors';

/**
 * The absolute path of `userPath` (a path a client sent: a dataset, checkpoint, pretrained weights,
 * a study file) inside `root`, or INVALID_ARGUMENT naming `field` when it would leave the root:
 * absolute paths, any `..` segment, and symbolic links that resolve outside are all refused.
 *
 * The path need not exist (a checkpoint about to be written): its nearest existing ancestor is
 * resolved with realpath, which is where a link out would be. A link swapped in after this check
 * is outside what a check can catch; roots should not be writable by clients for that reason.
 */
export function resolveInside(root: string, userPath: string, field: string): string {
  const refuse = (why: string) =>
    new InvalidArgumentError({
      field,
      description: `${why} (paths are relative to the service's data root)`,
    });
  if (userPath === '') throw refuse('must not be empty');
  if (userPath.includes('\0')) throw refuse('must not contain NUL characters');
  if (isAbsolute(userPath) || /^[A-Za-z]:[\\/]/.test(userPath) || userPath.startsWith('\\'))
    throw refuse(`must be a relative path, got the absolute path ${JSON.stringify(userPath)}`);
  // Refuse `..` outright, even when it would stay inside ("a/../b"): no legitimate client needs it,
  // and refusing it makes the rule easy to state and to audit.
  if (userPath.split(/[\\/]/).includes('..'))
    throw refuse(`must not contain "..", got ${JSON.stringify(userPath)}`);

  const realRoot = realpathSync(resolve(root));
  const candidate = resolve(realRoot, userPath);
  let existing = candidate;
  // lstat, not exists: a dangling link counts as existing, so realpath below refuses it rather
  // than letting a later write follow it out of the root.
  while (!entryExists(existing) && existing !== realRoot) existing = dirname(existing);
  let real: string;
  try {
    real = realpathSync(existing);
  } catch {
    throw refuse(`is a link that cannot be resolved: ${JSON.stringify(userPath)}`);
  }
  if (!isWithin(realRoot, real))
    throw refuse(`leaves the data root through a symbolic link: ${JSON.stringify(userPath)}`);
  // The part that does not exist yet is appended to the resolved ancestor, so the result is real.
  return resolve(real, relative(existing, candidate));
}

function isWithin(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

function entryExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
