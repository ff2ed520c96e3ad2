import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Sql } from './database';

export type SqliteSynchronous = 'FULL' | 'NORMAL';

export interface SqliteOptions {
  /**
   * NORMAL (default): in WAL mode a COMMIT has written its frames to the WAL file (write(2)) before
   * it returns, so the OS holds them even if the process is killed (kill -9 loses nothing
   * acknowledged); only an OS crash or power cut can lose the last commits, never corrupting the
   * file. FULL also fsyncs the WAL at every commit: power-loss safe, at an fsync per write.
   * https://www.sqlite.org/pragma.html#pragma_synchronous, https://www.sqlite.org/wal.html
   */
  readonly synchronous?: SqliteSynchronous;
}

const bind = (params: readonly unknown[]): unknown[] =>
  params.map((p) => (p === undefined ? null : typeof p === 'boolean' ? (p ? 1 : 0) : p));

/**
 * better-sqlite3 is synchronous, but the store's logic is written once for both dialects as async
 * code. A promise queue runs one transaction at a time so that the awaits inside one never
 * interleave with another's statements on the single connection.
 */
export class SqliteDatabase implements Database {
  readonly dialect = 'sqlite';
  readonly location: string;
  private readonly db: BetterSqlite3.Database;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly sql: Sql;

  constructor(file: string, options: SqliteOptions = {}) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.location = `sqlite:${file}`;
    this.db = new BetterSqlite3(file);
    // WAL: readers never block the writer, and a commit is one append to the log.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    this.sql = {
      all: <T>(text: string, params: readonly unknown[] = []) =>
        Promise.resolve(this.prepare(text).all(...bind(params)) as T[]),
      run: (text: string, params: readonly unknown[] = []) =>
        Promise.resolve(this.prepare(text).run(...bind(params)).changes),
    };
  }

  transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      // IMMEDIATE takes the write lock at once, so a second process fails fast instead of deadlocking.
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.sql);
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    });
  }

  read<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.exclusive(() => fn(this.sql));
  }

  close(): Promise<void> {
    return this.exclusive(() => {
      if (this.db.open) this.db.close();
      return Promise.resolve();
    });
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private prepare(text: string): BetterSqlite3.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }
}
