import { metrics } from '@athanor/contracts';
import { InvalidArgumentError, type FieldViolation, NotFoundError } from '@athanor/service-kit';
import { ID_RULE, isValidId, isValidLabel, isValidName, LABEL_RULE, NAME_RULE } from '../ingest/identifiers';
import type { RunStore } from '../store/run-store';
import { type DownsampleMethod, downsample } from './downsample';

const { Downsampling } = metrics;

/** A single series never answers with more points than this, whatever max_points says. */
export const MAX_QUERY_POINTS = 100_000;

const METHODS: ReadonlyMap<metrics.Downsampling, DownsampleMethod> = new Map([
  [Downsampling.DOWNSAMPLING_UNSPECIFIED, 'lttb'],
  [Downsampling.DOWNSAMPLING_LTTB, 'lttb'],
  [Downsampling.DOWNSAMPLING_MEAN, 'mean'],
  [Downsampling.DOWNSAMPLING_LAST, 'last'],
]);

/** Every problem of a QueryRunRequest, each naming its field. */
export function validateQuery(request: metrics.QueryRunRequest): FieldViolation[] {
  const problems: FieldViolation[] = [];
  if (!request.runId) problems.push({ field: 'run_id', description: 'is required' });
  else if (!isValidId(request.runId)) problems.push({ field: 'run_id', description: `must be ${ID_RULE}` });
  request.names.forEach((name, i) => {
    if (!isValidName(name)) problems.push({ field: `names[${i}]`, description: `must be ${NAME_RULE}` });
  });
  request.layers.forEach((layer, i) => {
    if (!isValidLabel(layer)) problems.push({ field: `layers[${i}]`, description: `must be ${LABEL_RULE}` });
  });
  if (request.startStep !== undefined && request.startStep < 0)
    problems.push({ field: 'start_step', description: 'must be >= 0' });
  if (request.endStep !== undefined && request.endStep < 0)
    problems.push({ field: 'end_step', description: 'must be >= 0' });
  if (request.startStep !== undefined && request.endStep !== undefined && request.endStep < request.startStep)
    problems.push({
      field: 'end_step',
      description: `must be >= start_step (${request.startStep}), got ${request.endStep}`,
    });
  if (request.maxPoints < 0 || request.maxPoints > MAX_QUERY_POINTS)
    problems.push({ field: 'max_points', description: `must be 0 (no limit) to ${MAX_QUERY_POINTS}` });
  if (!METHODS.has(request.downsampling))
    problems.push({ field: 'downsampling', description: `unknown value ${request.downsampling}` });
  return problems;
}

/** QueryRun: the run's series by names, layers and step range, downsampled to max_points. */
export function queryRun(store: RunStore, request: metrics.QueryRunRequest): metrics.QueryRunResponse {
  const problems = validateQuery(request);
  if (problems.length > 0) throw new InvalidArgumentError(problems);
  const run = store.get(request.runId);
  if (!run) throw new NotFoundError('run', request.runId);
  const names = new Set(request.names);
  const layers = new Set(request.layers);
  const method = METHODS.get(request.downsampling)!;
  const limit = request.maxPoints === 0 ? MAX_QUERY_POINTS : request.maxPoints;
  const series: metrics.Series[] = [];
  for (const entry of run.series.values()) {
    if (names.size > 0 && !names.has(entry.name)) continue;
    if (layers.size > 0 && entry.layer !== undefined && !layers.has(entry.layer)) continue;
    const inRange = entry.buffer.range(request.startStep, request.endStep);
    const reduced = downsample(inRange, limit, method);
    series.push({
      name: entry.name,
      layer: entry.layer,
      parameterGroup: entry.parameterGroup,
      points: reduced.steps.map((step, i) => ({
        step,
        value: reduced.values[i],
        wallTime: new Date(reduced.times[i]),
      })),
      totalPoints: inRange.steps.length,
      downsampled: reduced !== inRange || entry.buffer.thinned,
    });
  }
  series.sort(
    (a, b) =>
      a.name.localeCompare(b.name) ||
      (a.layer ?? '').localeCompare(b.layer ?? '') ||
      (a.parameterGroup ?? '').localeCompare(b.parameterGroup ?? ''),
  );
  return { runId: run.runId, trialId: run.trialId, studyId: run.studyId, series, state: run.state };
}
