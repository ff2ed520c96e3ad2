import { tuner } from '@athanor/contracts';
import type { ReportTrial } from './study-report-data';

/** A parameter's value as text (categorical strings as they are, numbers with 6 digits). */
export function parameterText(v: tuner.ParameterValue | undefined): string {
  const x = v?.value?.value;
  if (x === undefined) return '';
  return typeof x === 'number' ? String(Number(x.toPrecision(6))) : String(x);
}

/**
 * A parameter's value as people read it in plots and tables: a categorical choice written as JSON
 * (a whole sub-message, e.g. a SchedulerSpec) by its oneof case(s), e.g. `cosineAnnealing`, or
 * `kaimingNormal` for {"conv":{"kaimingNormal":{}},"dense":{"kaimingNormal":{}}}; else parameterText.
 */
export function shortParameterText(v: tuner.ParameterValue | undefined): string {
  const x = v?.value?.value;
  if (typeof x !== 'string' || !x.startsWith('{')) return parameterText(v);
  try {
    const parsed = JSON.parse(x) as Record<string, unknown>;
    const keys = Object.keys(parsed);
    const inner = (k: string) => {
      const y = parsed[k];
      return y && typeof y === 'object' && !Array.isArray(y) ? Object.keys(y).join('+') : k;
    };
    return (keys.length === 1 ? keys : [...new Set(keys.map(inner))]).join('/');
  } catch {
    return x;
  }
}

export const trialState = (s: tuner.TrialState): string =>
  tuner.trialStateToJSON(s).replace('TRIAL_STATE_', '').toLowerCase();

/** The parameter names of a study's trials, in first-seen order. */
export function parameterNames(trials: readonly ReportTrial[]): string[] {
  const names = new Set<string>();
  for (const t of trials) for (const k of Object.keys(t.trial.parameters)) names.add(k);
  return [...names];
}

function csvCell(v: string | number | undefined): string {
  if (v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const csv = (rows: readonly (readonly (string | number | undefined)[])[]): string =>
  rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';

/** trials.csv: one row per trial, parameters as columns. */
export function trialsCsv(trials: readonly ReportTrial[]): string {
  const params = parameterNames(trials);
  const header = [
    'number',
    'trial_id',
    'state',
    'objective_value',
    'batch_size',
    'scaled_lr',
    'warmup_steps',
    'warmup_epochs',
    'warmup_start_factor',
    'run_id',
    ...params,
  ];
  return csv([
    header,
    ...trials.map(({ trial: t }) => [
      t.number,
      t.id,
      trialState(t.state),
      t.objectiveValue,
      t.scaling?.batchSize,
      t.scaling?.lr,
      t.scaling?.warmupSteps,
      t.scaling?.warmupEpochs,
      t.scaling?.warmupStartFactor,
      t.runId,
      ...params.map((p) => parameterText(t.parameters[p])),
    ]),
  ]);
}

/** series.csv: one row per point of every trial's series (long format, for pandas or a spreadsheet). */
export function seriesCsv(trials: readonly ReportTrial[]): string {
  const rows: (string | number | undefined)[][] = [
    ['trial_number', 'trial_id', 'run_id', 'name', 'layer', 'parameter_group', 'step', 'value'],
  ];
  for (const { trial, series } of trials)
    for (const s of series)
      for (const p of s.points)
        rows.push([trial.number, trial.id, trial.runId, s.name, s.layer, s.parameterGroup, p.step, p.value]);
  return csv(rows);
}
