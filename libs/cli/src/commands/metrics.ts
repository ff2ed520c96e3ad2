import { metrics } from '@athanor/contracts';
import * as grpc from '@grpc/grpc-js';
import type { Command } from 'commander';
import { addressOf } from '../addresses';
import { formatValue, renderLineChart } from '../terminal-chart';
import { connection } from '../connection';

/** Bad input to `athanor metrics show`; the message names the option. */
export class MetricsInputError extends Error {
  override readonly name = 'MetricsInputError';
}

export interface MetricsShowOptions {
  names?: string;
  maxPoints?: string;
  json?: boolean;
}

/** Short names a person types, and the metric names they stand for. */
const ALIASES: Readonly<Record<string, readonly string[]>> = {
  loss: ['train_loss', 'val_loss'],
  accuracy: ['train_top1', 'val_top1', 'val_top5'],
};

/** Default chart width's worth of points: more would be averaged away by the chart anyway. */
const DEFAULT_MAX_POINTS = 400;

/** The QueryRun request for `athanor metrics show RUN`; throws MetricsInputError naming the option. */
export function metricsShowRequest(runId: string, options: MetricsShowOptions): metrics.QueryRunRequest {
  const names = (options.names ?? 'loss,lr')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean)
    .flatMap((n) => ALIASES[n] ?? [n]);
  for (const name of names)
    if (!/^[a-z_][a-z0-9_]{0,63}$/.test(name))
      throw new MetricsInputError(
        `--names: ${JSON.stringify(name)} is not a metric name (e.g. loss,lr,grad_norm)`,
      );
  const maxText = options.maxPoints ?? String(DEFAULT_MAX_POINTS);
  if (!/^\d+$/.test(maxText.trim()))
    throw new MetricsInputError(`--max-points: must be an integer >= 0, got ${JSON.stringify(maxText)}`);
  return metrics.QueryRunRequest.fromPartial({
    runId,
    names: [...new Set(names)],
    maxPoints: Number(maxText),
    downsampling: metrics.Downsampling.DOWNSAMPLING_LTTB,
  });
}

/** The answer as terminal charts (one per series) or, with --json, as proto3 JSON. */
export function renderMetricsShow(
  response: metrics.QueryRunResponse,
  options: { json?: boolean } = {},
): string {
  if (options.json) return JSON.stringify(metrics.QueryRunResponse.toJSON(response), null, 2);
  const header = [`run ${response.runId}`];
  if (response.studyId) header.push(`study ${response.studyId}`, `trial ${response.trialId}`);
  const lines = [header.join(' · ')];
  if (response.series.length === 0) lines.push('(no series with these names)');
  for (const series of response.series) {
    const label = [
      series.name,
      series.layer && `layer ${series.layer}`,
      series.parameterGroup && `group ${series.parameterGroup}`,
    ]
      .filter(Boolean)
      .join(' · ');
    const points = series.points;
    const first = points[0]?.step ?? 0;
    const last = points.at(-1)?.step ?? 0;
    const shown =
      points.length < series.totalPoints
        ? `${points.length} of ${series.totalPoints} points`
        : `${points.length} points`;
    lines.push(
      '',
      // The chart's x axis counts points; the real step range is in the title.
      renderLineChart(
        points.map((p) => p.value),
        { title: `${label}: steps ${first}..${last}, ${shown}${series.downsampled ? ' (downsampled)' : ''}` },
      ),
    );
    if (points.length > 0) lines.push(`last ${formatValue(points[points.length - 1].value)} at step ${last}`);
  }
  return lines.join('\n');
}

/** QueryRun against the metrics service at `address`. */
export function queryRun(
  address: string,
  request: metrics.QueryRunRequest,
  timeoutMs = 10_000,
): Promise<metrics.QueryRunResponse> {
  const { credentials, options } = connection();
  const client = new metrics.MetricsServiceClient(address, credentials, options);
  return new Promise<metrics.QueryRunResponse>((resolve, reject) =>
    client.queryRun(request, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) =>
      err ? reject(err) : resolve(res),
    ),
  ).finally(() => client.close());
}

export function registerMetricsCommand(program: Command): void {
  const group = program.command('metrics').description('training series from the metrics service');
  group
    .command('show')
    .description("draw a run's series (default: loss and LR) as terminal charts, through QueryRun")
    .argument('<run>', 'run id')
    .option('--names <names>', 'comma-separated metric names; "loss" = train_loss,val_loss', 'loss,lr')
    .option(
      '--max-points <n>',
      'downsample each series to at most n points (LTTB); 0 = all',
      String(DEFAULT_MAX_POINTS),
    )
    .option('--json', 'print the QueryRun answer as JSON instead of charts')
    .action(async (runId: string, options: MetricsShowOptions) => {
      let request: metrics.QueryRunRequest;
      try {
        request = metricsShowRequest(runId, options);
      } catch (error) {
        if (!(error instanceof MetricsInputError)) throw error;
        process.stderr.write(`athanor metrics show: ${error.message}\n`);
        process.exitCode = 2;
        return;
      }
      try {
        const response = await queryRun(addressOf('metrics'), request);
        process.stdout.write(`${renderMetricsShow(response, options)}\n`);
      } catch (error) {
        const e = error as grpc.ServiceError;
        if (typeof e.code !== 'number') throw error;
        process.stderr.write(`athanor metrics show: ${grpc.status[e.code]}: ${e.details}\n`);
        process.exitCode = e.code === grpc.status.INVALID_ARGUMENT ? 2 : 1;
      }
    });
}
