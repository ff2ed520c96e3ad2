import { isAbsolute, join } from 'node:path';
import { migrate } from './migrations';
import { PostgresDatabase } from './postgres-database';
import { SqlStudyStore } from './sql-study-store';
import { SqliteDatabase, type SqliteSynchronous } from './sqlite-database';
import type { StudyStore } from './study-store';

export interface OpenStoreOptions {
  /**
   * `postgres://...` / `postgresql://...` for PostgreSQL; `sqlite:PATH`, a plain path, or empty
   * for SQLite (a relative path and the default `tuner.sqlite` live under `dataDir`).
   */
  readonly url?: string;
  /** Directory of the embedded database; default `.athanor`. */
  readonly dataDir?: string;
  readonly sqliteSynchronous?: SqliteSynchronous;
}

/** Opens (and migrates) the store a URL names. */
export async function openStore(options: OpenStoreOptions = {}): Promise<StudyStore> {
  const url = options.url?.trim() ?? '';
  const dataDir = options.dataDir ?? '.athanor';
  const db = /^postgres(ql)?:\/\//.test(url)
    ? new PostgresDatabase(url)
    : new SqliteDatabase(sqlitePath(url, dataDir), { synchronous: options.sqliteSynchronous });
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return new SqlStudyStore(db);
}

function sqlitePath(url: string, dataDir: string): string {
  const path = url.replace(/^sqlite:(\/\/)?/, '') || 'tuner.sqlite';
  return path === ':memory:' || isAbsolute(path) ? path : join(dataDir, path);
}
