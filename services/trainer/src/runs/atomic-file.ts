import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Replaces `path` with `data`: written to a temporary file beside it, then renamed over it, so a
 * reader (or a trainer restarted after a crash) sees the old contents or the new, never part of
 * either. `durable` also fsyncs the file and its directory, so the new contents survive a power
 * loss too (slower; for the writes that change a run's state). Default false.
 */
export function writeFileAtomic(path: string, data: string, durable = false): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeAll(fd, Buffer.from(data, 'utf8'));
    if (durable) fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(tmp, path);
  if (!durable) return;
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** writeSync until every byte is written (a write to a regular file may be short). */
export function writeAll(fd: number, bytes: Buffer): void {
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}
