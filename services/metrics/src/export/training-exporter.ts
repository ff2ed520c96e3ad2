import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { POINT_REJECTIONS, UPDATE_REJECTIONS } from '../ingest/rejection-reason';
import type { BatchOutcome, IngestListener } from '../ingest/ingest-batch';
import type { ReportCounters } from '../ingest/report-metrics';
import type { RunRecord, RunStore } from '../store/run-store';
import type { StudyStore } from '../store/study-store';
import { groupLayers } from './layer-groups';
import { TRAINING_METRICS as M } from './metric-names';

/** Labels of every per-run series. Ids are validated (charset, length) before they get here. */
const RUN_LABELS = ['study', 'trial', 'run'] as const;
type RunLabels = Record<(typeof RUN_LABELS)[number], string>;

/** Loss and accuracy names mapped to their labels. */
const LOSSES: Readonly<Record<string, string>> = { train_loss: 'train', val_loss: 'validation' };
const ACCURACIES: Readonly<Record<string, { split: string; k: string }>> = {
  train_top1: { split: 'train', k: '1' },
  val_top1: { split: 'validation', k: '1' },
  val_top5: { split: 'validation', k: '5' },
};

/** lr points without a parameter group (a single-group optimizer) export under this group. */
export const DEFAULT_PARAMETER_GROUP = 'default';

/** Step durations from 1 ms (a tiny MLP on a GPU) to 2 min (a large batch on a CPU). */
export const STEP_SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120];

export interface ExporterOptions {
  readonly runs: RunStore;
  readonly studies: StudyStore;
  /** Most layer groups of one run (ATHANOR_METRICS_LAYER_GROUPS). */
  readonly layerGroups: number;
  readonly now: () => number;
}

/**
 * The training series in a registry of their own, served beside the service's registry on the same
 * /metrics (see combined-registry). Gauges are computed from the stores at scrape time, so a run
 * that expired is simply not written: no series lingers, and nothing needs a timer. The histogram
 * cannot be recomputed, so its label sets are removed when their run leaves the export.
 */
export class TrainingExporter implements IngestListener, ReportCounters {
  readonly registry = new Registry();
  private readonly stepHistogram: Histogram<(typeof RUN_LABELS)[number]>;
  private readonly histogramRuns = new Map<string, RunLabels>();
  private readonly accepted: Counter;
  private readonly rejected: Counter<'reason'>;
  private readonly evicted: Counter;
  private readonly updatesRejected: Counter<'reason'>;

  constructor(options: ExporterOptions) {
    const { runs, studies, now } = options;
    const registers = [this.registry];
    const exported = (): { run: RunRecord; labels: RunLabels }[] => {
      const t = now();
      return [...runs.all()]
        .filter((run) => runs.isExported(run, t))
        .map((run) => ({ run, labels: labelsOf(run) }));
    };
    const latest = (run: RunRecord, name: string, layer?: string, group?: string): number | undefined => {
      for (const s of run.series.values())
        if (s.name === name && s.layer === layer && s.parameterGroup === group) return s.buffer.lastValue;
      return undefined;
    };

    new Gauge({
      name: M.loss,
      help: 'Latest loss of a run, by split (train: the training batch loss; validation).',
      labelNames: [...RUN_LABELS, 'split'] as const,
      registers,
      collect() {
        this.reset();
        for (const { run, labels } of exported())
          for (const [name, split] of Object.entries(LOSSES)) {
            const v = latest(run, name);
            if (v !== undefined) this.set({ ...labels, split }, v);
          }
      },
    });
    new Gauge({
      name: M.accuracy,
      help: 'Latest top-k accuracy of a run as a ratio (0..1), by split and k.',
      labelNames: [...RUN_LABELS, 'split', 'k'] as const,
      registers,
      collect() {
        this.reset();
        for (const { run, labels } of exported())
          for (const [name, extra] of Object.entries(ACCURACIES)) {
            const v = latest(run, name);
            if (v !== undefined) this.set({ ...labels, ...extra }, v);
          }
      },
    });
    new Gauge({
      name: M.learningRate,
      help: 'Learning rate in force, by optimizer parameter group.',
      labelNames: [...RUN_LABELS, 'parameter_group'] as const,
      registers,
      collect() {
        this.reset();
        for (const { run, labels } of exported())
          for (const s of run.series.values())
            if (s.name === 'lr' && s.buffer.lastValue !== undefined)
              this.set(
                { ...labels, parameter_group: s.parameterGroup ?? DEFAULT_PARAMETER_GROUP },
                s.buffer.lastValue,
              );
      },
    });
    new Gauge({
      name: M.gradientNorm,
      help: 'Latest global L2 norm of the gradient (all parameters, before clipping).',
      labelNames: RUN_LABELS,
      registers,
      collect() {
        this.reset();
        for (const { run, labels } of exported()) {
          const v = latest(run, 'grad_norm');
          if (v !== undefined) this.set(labels, v);
        }
      },
    });
    new Gauge({
      name: M.layerGradientNorm,
      help: 'Latest gradient L2 norm per layer group: consecutive layers in model order, combined as an L2 norm; at most ATHANOR_METRICS_LAYER_GROUPS groups per run.',
      labelNames: [...RUN_LABELS, 'layer_group'] as const,
      registers,
      collect() {
        this.reset();
        for (const { run, labels } of exported()) {
          const norms = new Map<string, number>();
          for (const s of run.series.values())
            if (s.name === 'grad_norm' && s.layer !== undefined && s.buffer.lastValue !== undefined)
              norms.set(s.layer, s.buffer.lastValue);
          for (const group of groupLayers(run.layers, norms, options.layerGroups))
            this.set({ ...labels, layer_group: group.label }, group.value);
        }
      },
    });
    const simple = (name: string, help: string, source: string): void => {
      new Gauge({
        name,
        help,
        labelNames: RUN_LABELS,
        registers,
        collect() {
          this.reset();
          for (const { run, labels } of exported()) {
            const v = latest(run, source);
            if (v !== undefined) this.set(labels, v);
          }
        },
      });
    };
    simple(M.throughput, 'Training throughput in samples per second (latest report).', 'samples_per_second');
    simple(M.epoch, 'Current epoch of a run (fractional within an epoch when the trainer says so).', 'epoch');
    new Gauge({
      name: M.step,
      help: 'Highest optimizer step a run reported.',
      labelNames: RUN_LABELS,
      registers,
      collect() {
        this.reset();
        for (const { run, labels } of exported()) this.set(labels, run.maxStep);
      },
    });
    const histogramRuns = this.histogramRuns;
    this.stepHistogram = new Histogram({
      name: M.stepDuration,
      help: 'Duration of one optimizer step (forward, backward, update) as the trainer measured it.',
      labelNames: RUN_LABELS,
      buckets: STEP_SECONDS_BUCKETS,
      registers,
      collect() {
        // Expired runs leave the histogram at the same scrape that drops their gauges.
        const live = new Set(exported().map(({ run }) => run.runId));
        for (const [runId, labels] of histogramRuns)
          if (!live.has(runId)) {
            this.remove(labels);
            histogramRuns.delete(runId);
          }
      },
    });
    new Gauge({
      name: M.lastReport,
      help: 'When a run last sent a point or update (Unix time, seconds; service clock).',
      labelNames: RUN_LABELS,
      registers,
      collect() {
        this.reset();
        for (const { run, labels } of exported()) this.set(labels, run.lastSeen / 1000);
      },
    });

    new Gauge({
      name: M.studyTrials,
      help: 'Trials of a study by state (queued, running, pruned, completed, failed, infeasible).',
      labelNames: ['study', 'state'] as const,
      registers,
      collect() {
        this.reset();
        const t = now();
        for (const study of studies.all())
          if (studies.isExported(study, t))
            for (const [state, count] of studies.countsByState(study))
              this.set({ study: study.studyId, state }, count);
      },
    });
    const studyGauge = (name: string, help: string, pick: 'best' | 'last'): void => {
      new Gauge({
        name,
        help,
        labelNames: ['study'] as const,
        registers,
        collect() {
          this.reset();
          const t = now();
          for (const study of studies.all()) {
            const v = study[pick];
            if (v !== undefined && studies.isExported(study, t)) this.set({ study: study.studyId }, v);
          }
        },
      });
    };
    studyGauge(
      M.studyBestObjective,
      'Best objective value of the completed trials of a study so far.',
      'best',
    );
    studyGauge(
      M.studyLastObjective,
      'Objective value of the trial of a study that completed last (its history is the objective over time).',
      'last',
    );

    this.accepted = new Counter({
      name: M.pointsAccepted,
      help: 'Points stored by ReportMetrics.',
      registers,
    });
    this.rejected = new Counter({
      name: M.pointsRejected,
      help: 'Points ReportMetrics rejected, by reason (a closed list; see the service README).',
      labelNames: ['reason'] as const,
      registers,
    });
    this.evicted = new Counter({
      name: M.pointsEvicted,
      help: 'Stored points dropped to keep a series within ATHANOR_METRICS_MAX_POINTS_PER_SERIES.',
      registers,
    });
    this.updatesRejected = new Counter({
      name: M.updatesRejected,
      help: 'Run and trial updates ReportMetrics rejected, by reason.',
      labelNames: ['reason'] as const,
      registers,
    });
    // Every reason starts at zero, so rate() works from the first rejection on.
    for (const reason of POINT_REJECTIONS) this.rejected.inc({ reason }, 0);
    for (const reason of UPDATE_REJECTIONS) this.updatesRejected.inc({ reason }, 0);
    new Gauge({
      name: M.runsHeld,
      help: 'Runs held for QueryRun (live and finished; at most ATHANOR_METRICS_MAX_RUNS).',
      registers,
      collect() {
        this.set(runs.size);
      },
    });
    new Gauge({
      name: M.runsExported,
      help: 'Runs currently exported on /metrics (live, or finished within ATHANOR_METRICS_FINISHED_RUN_TTL_SECONDS).',
      registers,
      collect() {
        this.set(exported().length);
      },
    });
  }

  /** IngestListener: one step_seconds point. */
  stepSeconds(run: RunRecord, seconds: number): void {
    const labels = labelsOf(run);
    this.histogramRuns.set(run.runId, labels);
    this.stepHistogram.observe(labels, seconds);
  }

  /** ReportCounters: one message's outcome. */
  observe(outcome: BatchOutcome): void {
    if (outcome.accepted > 0) this.accepted.inc(outcome.accepted);
    if (outcome.evicted > 0) this.evicted.inc(outcome.evicted);
    for (const { reason } of outcome.pointRejections) this.rejected.inc({ reason });
    for (const reason of outcome.updateRejections) this.updatesRejected.inc({ reason });
  }
}

function labelsOf(run: RunRecord): RunLabels {
  return { study: run.studyId, trial: run.trialId, run: run.runId };
}
