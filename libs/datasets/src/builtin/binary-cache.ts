import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import * as path from 'node:path';

/**
 * A small binary container for converted datasets:
 *
 *   bytes 0..7    magic "ATHDSET\n"
 *   bytes 8..11   container version (uint32 LE)
 *   bytes 12..15  header length H (uint32 LE)
 *   next H bytes  JSON header: { key, sections: [{ name, bytes }], sha256 }
 *   then          the sections' bytes, back to back
 *
 * `key` says what the file was built from (dataset, converter version, source package version and
 * sizes), so a cache built from other data is stale; the length check catches a truncated file and
 * the SHA-256 of the sections a corrupted one. Any of these makes `readBinaryCache` return null and
 * the caller rebuilds.
 */
const MAGIC = Buffer.from('ATHDSET\n', 'latin1');
const CONTAINER_VERSION = 1;
const PREFIX = 16;

export interface CacheSection {
  readonly name: string;
  readonly data: Uint8Array;
}

interface CacheHeader {
  readonly key: unknown;
  readonly sections: readonly { readonly name: string; readonly bytes: number }[];
  readonly sha256: string;
}

function digest(sections: readonly Uint8Array[]): string {
  const hash = createHash('sha256');
  for (const s of sections) hash.update(s);
  return hash.digest('hex');
}

/**
 * Writes the cache atomically: a uniquely named temporary file in the same directory, fsync'd,
 * then renamed over the target, so a reader sees the old file or the whole new one, never half;
 * concurrent writers simply race to the same valid content.
 */
export async function writeBinaryCache(
  file: string,
  key: unknown,
  sections: readonly CacheSection[],
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const header: CacheHeader = {
    key,
    sections: sections.map((s) => ({ name: s.name, bytes: s.data.byteLength })),
    sha256: digest(sections.map((s) => s.data)),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(PREFIX);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(CONTAINER_VERSION, 8);
  prefix.writeUInt32LE(headerBytes.length, 12);
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writev([prefix, headerBytes, ...sections.map((s) => s.data)]);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  await rename(temp, file);
}

/** Why a cache could not be used; `null` reason means it was read. */
export type CacheMiss = 'missing' | 'bad-magic' | 'stale' | 'truncated' | 'checksum';

/**
 * Reads a cache written by `writeBinaryCache` if it exists, is whole, matches `key` and its checksum.
 * Returns the sections by name (views into one buffer), or the reason it was not usable.
 */
export async function readBinaryCache(
  file: string,
  key: unknown,
): Promise<{ sections: Map<string, Uint8Array> } | { miss: CacheMiss }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    return { miss: 'missing' };
  }
  if (bytes.length < PREFIX || !bytes.subarray(0, 8).equals(MAGIC)) return { miss: 'bad-magic' };
  if (bytes.readUInt32LE(8) !== CONTAINER_VERSION) return { miss: 'stale' };
  const headerLength = bytes.readUInt32LE(12);
  if (bytes.length < PREFIX + headerLength) return { miss: 'truncated' };
  let header: CacheHeader;
  try {
    header = JSON.parse(bytes.subarray(PREFIX, PREFIX + headerLength).toString('utf8')) as CacheHeader;
  } catch {
    return { miss: 'truncated' };
  }
  if (JSON.stringify(header.key) !== JSON.stringify(key)) return { miss: 'stale' };
  let offset = PREFIX + headerLength;
  const sections = new Map<string, Uint8Array>();
  for (const s of header.sections) {
    if (offset + s.bytes > bytes.length) return { miss: 'truncated' };
    sections.set(s.name, new Uint8Array(bytes.buffer, bytes.byteOffset + offset, s.bytes));
    offset += s.bytes;
  }
  if (offset !== bytes.length) return { miss: 'truncated' };
  if (digest([...sections.values()]) !== header.sha256) return { miss: 'checksum' };
  return { sections };
}
