/** A row as a driver returns it. */
export type Row = Record<string, unknown>;

/** The statements of one transaction (or one read). Parameters are written `?` in both dialects. */
export interface Sql {
  all<T = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement that returns no rows; resolves to the number of rows it changed. */
  run(text: string, params?: readonly unknown[]): Promise<number>;
}

/** The little a store needs from a database: transactions and reads, in one SQL dialect. */
export interface Database {
  readonly dialect: 'sqlite' | 'postgres';
  /** Where it lives, without secrets. */
  readonly location: string;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  /** Runs reads outside a transaction. */
  read<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
