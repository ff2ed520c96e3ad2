import { metrics } from '@athanor/contracts';
import {
  createServiceMetrics,
  describeService,
  packageVersion,
  type RunningService,
  startService,
} from '@athanor/service-kit';
import { type MetricsConfig, storeLimitsOf } from './config';
import { CombinedRegistry } from './export/combined-registry';
import { TrainingExporter } from './export/training-exporter';
import { Ingestor } from './ingest/ingest-batch';
import { consumeReportStream, StreamGate } from './ingest/report-metrics';
import { queryRun } from './query/query-run';
import { RunStore } from './store/run-store';
import { StudyStore } from './store/study-store';

export interface MetricsOptions {
  /** The clock (ms since the epoch) that expiry reads; tests move it. Default Date.now. */
  readonly now?: () => number;
}

/** Starts the metrics service; port 0 in the config picks free ports (tests). */
export function startMetrics(config: MetricsConfig, options: MetricsOptions = {}): Promise<RunningService> {
  const startedAt = new Date();
  const now = options.now ?? Date.now;
  const limits = storeLimitsOf(config);
  const runs = new RunStore(limits);
  const studies = new StudyStore(limits.finishedRunTtlMs, limits.idleRunMs);
  const exporter = new TrainingExporter({ runs, studies, layerGroups: config.metricsLayerGroups, now });
  const ingestor = new Ingestor(runs, studies, now, exporter);
  const gate = new StreamGate(config.metricsMaxStreams);
  // The kit's registry (process and RPC metrics, labelled service="metrics") and the training
  // series (labelled by study, trial and run) on one /metrics.
  const own = createServiceMetrics('metrics');
  const served = { ...own, registry: new CombinedRegistry([own.registry, exporter.registry]) };

  return startService({
    name: 'metrics',
    config,
    metrics: served,
    register(r) {
      r.add(
        metrics.MetricsServiceService,
        {
          reportMetrics: (call) => gate.run(() => consumeReportStream(call, ingestor, exporter)),
          queryRun: (request) => Promise.resolve(queryRun(runs, request)),
          getServiceInfo: () =>
            Promise.resolve({ info: describeService('metrics', packageVersion(__dirname), startedAt) }),
        },
        'issue 8 (metrics service)',
      );
    },
  });
}
