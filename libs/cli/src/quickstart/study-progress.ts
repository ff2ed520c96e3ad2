import { tuner } from '@athanor/contracts';
import { shortParameterText } from '../report/report-tables';

const { TrialState } = tuner;
const FINISHED: readonly tuner.TrialState[] = [
  TrialState.TRIAL_STATE_COMPLETED,
  TrialState.TRIAL_STATE_PRUNED,
  TrialState.TRIAL_STATE_FAILED,
  TrialState.TRIAL_STATE_INFEASIBLE,
];

/** What a study's event stream has said so far: the latest snapshot of each trial, and its last value. */
export class StudyProgress {
  readonly trials = new Map<string, tuner.Trial>();
  readonly lastValue = new Map<string, { step: number; value: number }>();
  state: tuner.StudyState = tuner.StudyState.STUDY_STATE_UNSPECIFIED;
  stopReason = '';

  constructor(
    readonly maxTrials: number,
    readonly direction: tuner.ObjectiveDirection,
    readonly startedAt: number,
  ) {}

  /** Folds one WatchStudy event in; returns a line worth printing on its own (plain output), if any. */
  apply(e: tuner.StudyEvent): string | undefined {
    const ev = e.event;
    switch (ev?.$case) {
      case 'studyUpdated':
        this.state = ev.value.state;
        this.stopReason = ev.value.stopReason;
        return undefined;
      case 'trialUpdated': {
        const t = ev.value.trial!;
        this.trials.set(t.id, t);
        if (t.state === TrialState.TRIAL_STATE_RUNNING)
          return `trial #${t.number} running   ${paramsText(t)}${ev.value.reason ? ` (${ev.value.reason})` : ''}`;
        if (FINISHED.includes(t.state))
          return `trial #${t.number} ${stateText(t.state).padEnd(9)} ${valueText(t)}  ${paramsText(t)}${t.failureReason ? ` (${t.failureReason})` : ''}`;
        return undefined;
      }
      case 'intermediateReported':
        this.lastValue.set(ev.value.trialId, { step: ev.value.value!.step, value: ev.value.value!.value });
        return undefined;
      default:
        return undefined;
    }
  }

  get finished(): number {
    return [...this.trials.values()].filter((t) => FINISHED.includes(t.state)).length;
  }

  best(): tuner.Trial | undefined {
    const sign = this.direction === tuner.ObjectiveDirection.OBJECTIVE_DIRECTION_MAXIMIZE ? -1 : 1;
    return [...this.trials.values()]
      .filter((t) => t.state === TrialState.TRIAL_STATE_COMPLETED && t.objectiveValue !== undefined)
      .sort((a, b) => sign * (a.objectiveValue! - b.objectiveValue!))[0];
  }

  /** Seconds left at the pace so far (finished trials per second of wall time); undefined before the first. */
  etaSeconds(now: number): number | undefined {
    const done = this.finished;
    if (done === 0) return undefined;
    return ((now - this.startedAt) / 1000 / done) * Math.max(0, this.maxTrials - done);
  }

  /** A summary line: counts, best so far and the ETA. */
  summary(now: number): string {
    const count = (s: tuner.TrialState) => [...this.trials.values()].filter((t) => t.state === s).length;
    const best = this.best();
    const eta = this.etaSeconds(now);
    return [
      `${this.finished}/${this.maxTrials} trials done`,
      `${count(TrialState.TRIAL_STATE_RUNNING)} running`,
      `${count(TrialState.TRIAL_STATE_COMPLETED)} completed, ${count(TrialState.TRIAL_STATE_PRUNED)} pruned, ${count(TrialState.TRIAL_STATE_FAILED)} failed`,
      `best ${best ? `${valueText(best)} (trial #${best.number})` : '-'}`,
      `elapsed ${clock((now - this.startedAt) / 1000)}`,
      `ETA ${eta === undefined ? '-' : clock(eta)}`,
    ].join(' | ');
  }

  /** The live view on a terminal: the summary and one row per trial. */
  table(now: number): string {
    const rows = [...this.trials.values()].sort((a, b) => a.number - b.number);
    const lines = [this.summary(now), '', 'trial  state      value    epoch  parameters'];
    for (const t of rows) {
      const last = this.lastValue.get(t.id);
      const value = t.objectiveValue ?? last?.value;
      lines.push(
        `#${String(t.number).padEnd(5)} ${stateText(t.state).padEnd(10)} ${(value === undefined ? '-' : value.toFixed(4)).padEnd(8)} ${String(last?.step ?? '-').padEnd(6)} ${paramsText(t)}`,
      );
    }
    return lines.join('\n');
  }
}

export function stateText(s: tuner.TrialState): string {
  return tuner.trialStateToJSON(s).replace('TRIAL_STATE_', '').toLowerCase();
}

function valueText(t: tuner.Trial): string {
  return t.objectiveValue === undefined ? '-' : t.objectiveValue.toFixed(4);
}

/** `batch_size=64 lr=0.05 scheduler=cosineAnnealing init=kaimingNormal`. */
export function paramsText(t: tuner.Trial): string {
  const params = Object.entries(t.parameters).map(([k, v]) => `${k}=${shortParameterText(v)}`);
  if (t.scaling?.lr !== undefined) params.splice(1, 0, `lr=${Number(t.scaling.lr.toPrecision(3))}`);
  return params.join(' ');
}

/** 75 -> "1m15s". */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
