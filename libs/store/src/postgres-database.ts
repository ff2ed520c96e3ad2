import { Pool, type PoolClient, types } from 'pg';
import type { Database, Sql } from './database';

// BIGINT (oid 20) arrives as a string by default; our values (ms timestamps, counts) fit a double.
const parseTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === 20
      ? (v: string) => Number(v)
      : (types.getTypeParser(oid, format) as unknown)) as typeof types.getTypeParser,
};

/** Our `?` parameters -> PostgreSQL's `$1, $2, ...` (our SQL has no `?` inside literals). */
const numbered = (text: string): string => {
  let i = 0;
  return text.replace(/\?/g, () => `$${++i}`);
};

// Serialisation failures and deadlocks are safe to retry: the transaction had no effect.
const RETRYABLE = new Set(['40001', '40P01']);

export class PostgresDatabase implements Database {
  readonly dialect = 'postgres';
  readonly location: string;
  private readonly pool: Pool;

  constructor(url: string, options: { maxConnections?: number } = {}) {
    const u = new URL(url);
    u.password = '';
    this.location = u.toString();
    this.pool = new Pool({ connectionString: url, max: options.maxConnections ?? 10, types: parseTypes });
    // An idle client that loses its server must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  async transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(sqlOf(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        if (attempt < 5 && RETRYABLE.has((err as { code?: string }).code ?? '')) continue;
        throw err;
      } finally {
        client.release();
      }
    }
  }

  read<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return fn(sqlOf(this.pool));
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

function sqlOf(client: Pool | PoolClient): Sql {
  return {
    all: async <T>(text: string, params: readonly unknown[] = []) =>
      (await client.query(numbered(text), params as unknown[])).rows as T[],
    run: async (text: string, params: readonly unknown[] = []) =>
      (await client.query(numbered(text), params as unknown[])).rowCount ?? 0,
  };
}
