// Persistence of studies and trials: SQLite (embedded default) and PostgreSQL behind StudyStore.
export * from './records';
export * from './store-errors';
export type * from './study-store';
export { openStore, type OpenStoreOptions } from './open-store';
export { SCHEMA_VERSION } from './migrations';
export type { SqliteSynchronous } from './sqlite-database';
