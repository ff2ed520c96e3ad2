import { commonSchema, type ConfigOf, integer, seconds } from '@athanor/service-kit';

/** Every ATHANOR_* variable the metrics service reads (the README's table lists them). */
export const configSchema = {
  ...commonSchema({ grpcPort: 50054, httpPort: 9464 }),
  metricsMaxPointsPerSeries: integer(
    4096,
    'Points kept per series (run, name, layer, group) for QueryRun; beyond it the series is thinned to every 2nd, 4th, ... point (the whole run at lower resolution, the newest point always kept).',
    16,
    10_000_000,
  ),
  metricsMaxSeriesPerRun: integer(
    512,
    'Series one run may have (names x layers x groups); points of further series are rejected (too_many_series).',
    1,
    100_000,
  ),
  metricsMaxRuns: integer(
    500,
    'Runs held for QueryRun; a new run pushes out the run that finished longest ago, and is rejected (too_many_runs) when all are live.',
    1,
    1_000_000,
  ),
  metricsLayerGroups: integer(
    16,
    'Per-layer gradient norms are exported in at most this many layer groups per run (consecutive layers, combined as the L2 norm).',
    1,
    1000,
  ),
  metricsFinishedRunTtlSeconds: seconds(
    300,
    'How long a finished run (and a study whose trials all ended) stays in /metrics; QueryRun keeps the run until ATHANOR_METRICS_MAX_RUNS pushes it out.',
  ),
  metricsIdleRunSeconds: seconds(
    1800,
    'A run that sends nothing for this long counts as finished (its trainer cannot say so if it died).',
  ),
  metricsMaxStreams: integer(
    64,
    'Concurrent ReportMetrics streams; one more is refused with RESOURCE_EXHAUSTED (each stream is read one message at a time).',
    1,
    100_000,
  ),
} as const;

export type MetricsConfig = ConfigOf<typeof configSchema>;

/** The limits the stores read, apart from the server's own settings. */
export interface StoreLimits {
  readonly maxPointsPerSeries: number;
  readonly maxSeriesPerRun: number;
  readonly maxRuns: number;
  readonly finishedRunTtlMs: number;
  readonly idleRunMs: number;
}

export function storeLimitsOf(config: MetricsConfig): StoreLimits {
  return {
    maxPointsPerSeries: config.metricsMaxPointsPerSeries,
    maxSeriesPerRun: config.metricsMaxSeriesPerRun,
    maxRuns: config.metricsMaxRuns,
    finishedRunTtlMs: config.metricsFinishedRunTtlSeconds * 1000,
    idleRunMs: config.metricsIdleRunSeconds * 1000,
  };
}
