import { address, commonSchema, type ConfigOf, integer, oneOf, seconds, text } from '@athanor/service-kit';

/** Every ATHANOR_* variable the tuner service reads (the README's table is generated from it). */
export const configSchema = {
  ...commonSchema({ grpcPort: 50053, httpPort: 9463 }),
  dataDir: {
    default: '.athanor',
    doc: 'Directory of the embedded SQLite database (created if missing).',
    parse: (raw: string): string => raw,
  },
  storeUrl: text(
    '',
    'Where studies and trials live: empty or a file path (SQLite, relative to ATHANOR_DATA_DIR; default tuner.sqlite), or postgres://user@host/db (PostgreSQL, for several tuner replicas).',
  ),
  sqliteSynchronous: oneOf(
    ['FULL', 'NORMAL'] as const,
    'NORMAL',
    'SQLite durability (WAL mode): NORMAL keeps every acknowledged write through kill -9 (the commit reached the OS before the RPC answered) and may lose the last commits on power loss; FULL fsyncs every commit and survives power loss too, at a few ms per write.',
  ),
  leaseSeconds: seconds(
    60,
    "Default trial lease when a study's lease policy sets none; workers heartbeat every third of it.",
  ),
  reapIntervalSeconds: seconds(1, 'How often lapsed leases are looked for and their trials re-queued.'),
  maxSuggestCount: integer(64, 'Most trials one SuggestTrials call leases.', 1, 10_000),
  metricsAddr: address(
    undefined,
    'Metrics service (host:port) the tuner sends every trial state change to (per-study trials by state, best objective); unset: no reporting.',
  ),
} as const;

export type TunerConfig = ConfigOf<typeof configSchema>;
