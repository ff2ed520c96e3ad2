import { trainer } from '@athanor/contracts';
import type { StoreLimits } from '../config';
import { SeriesBuffer } from './series-buffer';

const { RunState } = trainer;

/** One series of a run: a metric name with its layer or parameter group. */
export interface SeriesEntry {
  readonly name: string;
  readonly layer: string | undefined;
  readonly parameterGroup: string | undefined;
  readonly buffer: SeriesBuffer;
}

/** Everything the service holds about one run. */
export interface RunRecord {
  readonly runId: string;
  readonly trialId: string;
  readonly studyId: string;
  /** By seriesKey(name, layer, group). */
  readonly series: Map<string, SeriesEntry>;
  /** Layers of grad_norm in the order the run first reported them (the model's order). */
  readonly layers: string[];
  /** Parameter groups of lr in first-reported order. */
  readonly parameterGroups: string[];
  /** Last state a RunUpdate reported (UNSPECIFIED if none). */
  state: trainer.RunState;
  /** When a terminal RunUpdate arrived (service clock, ms). */
  terminalAt: number | undefined;
  /** Last point or update (service clock, ms). */
  lastSeen: number;
  /** Highest step of any point. */
  maxStep: number;
}

export const seriesKey = (name: string, layer?: string, group?: string): string =>
  `${name}\u0000${layer ?? ''}\u0000${group ?? ''}`;

const TERMINAL: ReadonlySet<trainer.RunState> = new Set([
  RunState.RUN_STATE_COMPLETED,
  RunState.RUN_STATE_FAILED,
  RunState.RUN_STATE_CANCELLED,
]);

export const isTerminalRunState = (state: trainer.RunState): boolean => TERMINAL.has(state);

export type RunLookup = RunRecord | 'too_many_runs' | 'run_identity_conflict';

/**
 * The runs, bounded three ways: points per series (SeriesBuffer), series per run and runs. Time is
 * the caller's (`now` in ms), so expiry is tested without waiting. Finishing is computed, not
 * scheduled: a run is finished once a terminal state arrived or it has been silent for the idle
 * time, and it leaves the Prometheus export finishedRunTtlMs later (no timers to leak).
 */
export class RunStore {
  private readonly runs = new Map<string, RunRecord>();

  constructor(readonly limits: StoreLimits) {}

  get size(): number {
    return this.runs.size;
  }

  get(runId: string): RunRecord | undefined {
    return this.runs.get(runId);
  }

  all(): IterableIterator<RunRecord> {
    return this.runs.values();
  }

  /**
   * The run, created on first sight. Its study and trial are fixed by the first point or update; a
   * later one naming others is a conflict (two trainers reusing an id), not a move.
   */
  lookup(runId: string, trialId: string, studyId: string, now: number): RunLookup {
    const run = this.runs.get(runId);
    if (run) {
      if (run.trialId !== trialId || run.studyId !== studyId) return 'run_identity_conflict';
      return run;
    }
    if (this.runs.size >= this.limits.maxRuns && !this.evictOneFinished(now)) return 'too_many_runs';
    const created: RunRecord = {
      runId,
      trialId,
      studyId,
      series: new Map(),
      layers: [],
      parameterGroups: [],
      state: RunState.RUN_STATE_UNSPECIFIED,
      terminalAt: undefined,
      lastSeen: now,
      maxStep: 0,
    };
    this.runs.set(runId, created);
    return created;
  }

  /** The series, created if the run has room for another one (else undefined). */
  seriesOf(run: RunRecord, name: string, layer?: string, group?: string): SeriesEntry | undefined {
    const key = seriesKey(name, layer, group);
    let entry = run.series.get(key);
    if (entry) return entry;
    if (run.series.size >= this.limits.maxSeriesPerRun) return undefined;
    entry = { name, layer, parameterGroup: group, buffer: new SeriesBuffer(this.limits.maxPointsPerSeries) };
    run.series.set(key, entry);
    if (layer !== undefined && name === 'grad_norm' && !run.layers.includes(layer)) run.layers.push(layer);
    if (group !== undefined && name === 'lr' && !run.parameterGroups.includes(group))
      run.parameterGroups.push(group);
    return entry;
  }

  /** When the run finished (ms), or undefined while it is live. */
  finishedAt(run: RunRecord, now: number): number | undefined {
    if (run.terminalAt !== undefined) return run.terminalAt;
    const idleSince = run.lastSeen + this.limits.idleRunMs;
    return now >= idleSince ? idleSince : undefined;
  }

  /** Whether /metrics shows the run: live, or finished less than finishedRunTtlMs ago. */
  isExported(run: RunRecord, now: number): boolean {
    const finished = this.finishedAt(run, now);
    return finished === undefined || now - finished < this.limits.finishedRunTtlMs;
  }

  /** Frees room for a new run: drops the run that finished longest ago. False if all are live. */
  private evictOneFinished(now: number): boolean {
    let oldest: RunRecord | undefined;
    let oldestAt = Infinity;
    for (const run of this.runs.values()) {
      const at = this.finishedAt(run, now);
      if (at !== undefined && at < oldestAt) {
        oldest = run;
        oldestAt = at;
      }
    }
    if (!oldest) return false;
    this.runs.delete(oldest.runId);
    return true;
  }
}
