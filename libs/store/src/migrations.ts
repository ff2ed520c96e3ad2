import type { Database } from './database';

interface Migration {
  readonly version: number;
  readonly name: string;
  /** Statements valid in both SQLite and PostgreSQL. */
  readonly statements: readonly string[];
}

// Append only: a released migration never changes (databases in the field have applied it).
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'studies, trials, intermediate values, events',
    statements: [
      `CREATE TABLE studies (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        request_id TEXT UNIQUE,
        spec TEXT NOT NULL,
        state TEXT NOT NULL,
        direction TEXT NOT NULL,
        max_trials INTEGER NOT NULL,
        max_parallel INTEGER NOT NULL,
        max_attempts INTEGER NOT NULL,
        lease_ms BIGINT NOT NULL,
        deadline BIGINT,
        best_value DOUBLE PRECISION,
        best_trial_id TEXT,
        n_queued INTEGER NOT NULL DEFAULT 0,
        n_running INTEGER NOT NULL DEFAULT 0,
        n_pruned INTEGER NOT NULL DEFAULT 0,
        n_completed INTEGER NOT NULL DEFAULT 0,
        n_failed INTEGER NOT NULL DEFAULT 0,
        n_infeasible INTEGER NOT NULL DEFAULT 0,
        next_number INTEGER NOT NULL DEFAULT 0,
        last_sequence BIGINT NOT NULL DEFAULT 0,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        finished_at BIGINT,
        stop_reason TEXT NOT NULL DEFAULT '',
        stop_running INTEGER NOT NULL DEFAULT 0
      )`,
      `CREATE INDEX studies_by_state ON studies (state, created_at)`,
      `CREATE TABLE trials (
        id TEXT PRIMARY KEY,
        study_id TEXT NOT NULL REFERENCES studies (id),
        number INTEGER NOT NULL,
        state TEXT NOT NULL,
        params TEXT NOT NULL,
        objective_value DOUBLE PRECISION,
        worker_id TEXT NOT NULL DEFAULT '',
        lease_id TEXT NOT NULL DEFAULT '',
        lease_expires_at BIGINT,
        attempts INTEGER NOT NULL DEFAULT 0,
        checkpoint TEXT,
        failure_reason TEXT NOT NULL DEFAULT '',
        created_at BIGINT NOT NULL,
        started_at BIGINT,
        finished_at BIGINT,
        run_id TEXT NOT NULL DEFAULT '',
        scaling TEXT,
        metrics TEXT,
        step BIGINT NOT NULL DEFAULT 0,
        stop_reason TEXT NOT NULL DEFAULT '',
        UNIQUE (study_id, number)
      )`,
      `CREATE INDEX trials_queue ON trials (study_id, state, number)`,
      `CREATE INDEX trials_leases ON trials (state, lease_expires_at)`,
      `CREATE INDEX trials_leaderboard ON trials (study_id, state, objective_value)`,
      `CREATE TABLE intermediate_values (
        trial_id TEXT NOT NULL REFERENCES trials (id),
        study_id TEXT NOT NULL,
        step BIGINT NOT NULL,
        value DOUBLE PRECISION NOT NULL,
        reported_at BIGINT NOT NULL,
        PRIMARY KEY (trial_id, step)
      )`,
      `CREATE INDEX intermediate_by_study ON intermediate_values (study_id, step)`,
      `CREATE TABLE events (
        study_id TEXT NOT NULL,
        sequence BIGINT NOT NULL,
        time BIGINT NOT NULL,
        payload TEXT NOT NULL,
        PRIMARY KEY (study_id, sequence)
      )`,
    ],
  },
  {
    version: 2,
    name: 'trial trace context and training-memory estimate',
    statements: [
      // W3C traceparent of the trial's root span (NULL: not traced); every lease is its child.
      `ALTER TABLE trials ADD COLUMN trace_parent TEXT`,
      // Estimated training memory of the trial's config in bytes (NULL: unknown, fits any worker).
      `ALTER TABLE trials ADD COLUMN memory_bytes BIGINT`,
    ],
  },
];

/** The newest schema version this code knows. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/**
 * Brings the schema up to date, each migration in its own transaction with its row in
 * schema_migrations. On PostgreSQL an advisory lock keeps two replicas from migrating at once.
 * A database newer than this code is refused rather than misread. `target` (tests) stops at an
 * older version, to check an upgrade.
 */
export async function migrate(db: Database, target = SCHEMA_VERSION): Promise<void> {
  await db.transaction(async (sql) => {
    if (db.dialect === 'postgres') await sql.all('SELECT pg_advisory_xact_lock(7077001)');
    await sql.run(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
    );
    const rows = await sql.all<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => Number(r.version)));
    const newest = Math.max(0, ...applied);
    if (newest > SCHEMA_VERSION)
      throw new Error(
        `${db.location} has schema version ${newest}, newer than this tuner's ${SCHEMA_VERSION}; upgrade the tuner`,
      );
    for (const m of MIGRATIONS) {
      if (applied.has(m.version) || m.version > target) continue;
      for (const statement of m.statements) await sql.run(statement);
      await sql.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        m.version,
        m.name,
        Date.now(),
      ]);
    }
  });
}
