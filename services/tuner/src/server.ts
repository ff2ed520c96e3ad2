import { hostname } from 'node:os';
import { tuner } from '@athanor/contracts';
import {
  clientCredentials,
  clientOptions,
  describeService,
  packageVersion,
  type RunningService,
  startService,
} from '@athanor/service-kit';
import { openStore, type StudyStore } from '@athanor/store';
import type { TunerConfig } from './config';
import { TrialUpdateReporter } from './reporting/trial-update-reporter';
import { trialUpdatesOf } from './reporting/trial-updates';
import { TunerRpc } from './tuner-service';

export interface TunerOptions {
  /** A store to use instead of opening the configured one (tests); closed on stop. */
  readonly store?: StudyStore;
  /** Clock in epoch ms (tests). */
  readonly now?: () => number;
  /** How often trial updates go to the metrics service, in ms (tests). Default 1 s. */
  readonly metricsFlushMillis?: number;
}

/** Starts the tuner service; port 0 in the config picks free ports (tests). */
export async function startTuner(config: TunerConfig, options: TunerOptions = {}): Promise<RunningService> {
  const startedAt = new Date();
  const store =
    options.store ??
    (await openStore({
      url: config.storeUrl,
      dataDir: config.dataDir,
      sqliteSynchronous: config.sqliteSynchronous,
    }));
  const rpc = new TunerRpc(store, config, options.now);
  // Workers could not heartbeat while no tuner ran: their leases get a full term from now rather
  // than lapsing, which would re-queue trials that are still training and train them twice.
  const renewed = await store.renewRunningLeases((options.now ?? Date.now)());
  let service: RunningService;
  try {
    service = await startService({
      name: 'tuner',
      config,
      register(r) {
        r.logger.info({ store: store.location, renewedLeases: renewed }, 'store opened');
        // Every trial transition this process commits goes to the metrics service, off the RPC path.
        let reporter: TrialUpdateReporter | undefined;
        let unsubscribe: () => void = () => undefined;
        if (config.metricsAddr !== undefined) {
          const updates = new TrialUpdateReporter({
            address: config.metricsAddr,
            source: `tuner/${process.env.POD_NAME ?? `${hostname()}-${process.pid}`}`,
            registry: r.metrics.registry,
            logger: r.logger,
            flushMillis: options.metricsFlushMillis,
            credentials: clientCredentials(config),
            clientOptions: clientOptions(config),
          });
          unsubscribe = store.subscribe((_, committed) => updates.report(trialUpdatesOf(committed)));
          reporter = updates;
        }
        r.add(
          tuner.TunerServiceService,
          {
            ...rpc.implementation(),
            getServiceInfo: () =>
              Promise.resolve({ info: describeService('tuner', packageVersion(__dirname), startedAt) }),
          },
          undefined,
          // With ATHANOR_AUTH_TOKEN set, these need the bearer token; reads stay open.
          {
            writeMethods: [
              'createStudy',
              'stopStudy',
              'suggestTrials',
              'heartbeatTrial',
              'reportIntermediate',
              'completeTrial',
            ],
          },
        );
        // The lease reaper: lapsed leases go back to the queue with their last checkpoint.
        let reaping = false;
        const timer = setInterval(() => {
          if (reaping) return;
          reaping = true;
          rpc
            .reap()
            .then((n) => n > 0 && r.logger.info({ requeued: n }, 'lapsed leases reclaimed'))
            .catch((err: unknown) => r.logger.error({ err }, 'lease reaper failed'))
            .finally(() => (reaping = false));
        }, config.reapIntervalSeconds * 1000);
        timer.unref();
        r.onShutdown(async () => {
          clearInterval(timer);
          unsubscribe();
          await reporter?.close();
          await store.close();
        });
      },
    });
  } catch (err) {
    await store.close();
    throw err;
  }
  return service;
}
