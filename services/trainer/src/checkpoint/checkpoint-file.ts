import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

// Layout: MAGIC, u32 LE length of the JSON header, the header, then the float32 blobs back to back
// (each blob's offset and length in floats are in the header). One file, so one rename publishes it.
const MAGIC = Buffer.from('ATHCKPT1', 'ascii');

export interface CheckpointBlobRef {
  readonly offset: number;
  readonly length: number;
}

export class CheckpointFileError extends Error {
  override readonly name = 'CheckpointFileError';
}

/**
 * Writes `header` and `blobs` atomically: to a temporary file beside `path`, fsync, rename over
 * `path`, fsync the directory. A crash leaves either the old file or the new one, never half of one.
 * Returns the size in bytes. The header gets `blobs: Record<name, CheckpointBlobRef>`.
 */
export function writeCheckpointFile(
  path: string,
  header: Record<string, unknown>,
  blobs: ReadonlyMap<string, Float32Array>,
): number {
  const refs: Record<string, CheckpointBlobRef> = {};
  let offset = 0;
  for (const [name, data] of blobs) {
    refs[name] = { offset, length: data.length };
    offset += data.length;
  }
  const json = Buffer.from(JSON.stringify({ ...header, blobs: refs }), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length, 0);
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  const fd = openSync(tmp, 'w', 0o644);
  let size = 0;
  try {
    for (const part of [MAGIC, length, json]) size += writeSync(fd, part);
    for (const data of blobs.values())
      size += writeSync(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(tmp, path);
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
  return size;
}

export interface CheckpointFile {
  readonly header: Record<string, unknown>;
  blob(name: string): Float32Array;
}

export function readCheckpointFile(path: string): CheckpointFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new CheckpointFileError(`cannot read checkpoint ${path}: ${(error as Error).message}`);
  }
  if (bytes.length < 12 || !bytes.subarray(0, 8).equals(MAGIC))
    throw new CheckpointFileError(`${path} is not an Athanor checkpoint`);
  const jsonLength = bytes.readUInt32LE(8);
  const dataStart = 12 + jsonLength;
  if (dataStart > bytes.length) throw new CheckpointFileError(`${path} is truncated`);
  const header = JSON.parse(bytes.subarray(12, dataStart).toString('utf8')) as Record<string, unknown>;
  const refs = header.blobs as Record<string, CheckpointBlobRef>;
  const data = bytes.subarray(dataStart);
  const total = Object.values(refs).reduce((n, r) => Math.max(n, r.offset + r.length), 0);
  if (data.length !== total * 4) throw new CheckpointFileError(`${path} is truncated or has trailing bytes`);
  // Copy into an aligned buffer: Float32Array views need 4-byte alignment.
  const floats = new Float32Array(total);
  new Uint8Array(floats.buffer).set(data);
  return {
    header,
    blob(name) {
      const ref = refs[name];
      if (ref === undefined) throw new CheckpointFileError(`${path} has no blob "${name}"`);
      return floats.subarray(ref.offset, ref.offset + ref.length);
    },
  };
}
