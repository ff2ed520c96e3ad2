import type { ChannelCredentials, ClientOptions } from '@grpc/grpc-js';
import { metrics, type trainer } from '@athanor/contracts';
import { type Logger, MetricsSender } from '@athanor/service-kit';
import { Counter, type Registry } from 'prom-client';

export interface MetricsReporterOptions {
  readonly address: string;
  readonly source: string;
  readonly registry: Registry;
  readonly logger?: Logger;
  /** Points held while the metrics service is unreachable; older ones are dropped beyond it. Default 50,000. */
  readonly maxBuffered?: number;
  /** Flush period. Default 1 s. */
  readonly flushMillis?: number;
  /** Points per ReportMetrics message (the service accepts up to 10,000). Default 2,000. */
  readonly batchSize?: number;
  /** Channel credentials (TLS) and options (bearer token) for the metrics service. Default plaintext. */
  readonly credentials?: ChannelCredentials;
  readonly clientOptions?: ClientOptions;
}

export interface RunLabels {
  readonly runId: string;
  readonly trialId: string;
  readonly studyId: string;
}

/**
 * Sends training points to the metrics service (ReportMetrics client stream), batched and never
 * blocking a step: points go into a bounded buffer that a timer flushes; when the service is down
 * they stay buffered and are retried, and beyond the bound the oldest are dropped and counted
 * (athanor_trainer_metric_points_dropped_total).
 */
export class MetricsReporter {
  private buffer: metrics.MetricPoint[] = [];
  private updates: metrics.RunUpdate[] = [];
  private readonly sender: MetricsSender;
  private readonly dropped: Counter<'reason'>;
  private readonly sent: Counter;
  private readonly maxBuffered: number;
  private readonly batchSize: number;

  constructor(private readonly options: MetricsReporterOptions) {
    this.maxBuffered = options.maxBuffered ?? 50_000;
    this.batchSize = options.batchSize ?? 2_000;
    this.dropped = new Counter({
      name: 'athanor_trainer_metric_points_dropped_total',
      help: 'Metric points not delivered to the metrics service: buffer overflow while it was unreachable, or rejected by it.',
      labelNames: ['reason'] as const,
      registers: [options.registry],
    });
    this.sent = new Counter({
      name: 'athanor_trainer_metric_points_sent_total',
      help: 'Metric points the metrics service accepted.',
      registers: [options.registry],
    });
    this.sender = new MetricsSender({
      address: options.address,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      ...(options.clientOptions ? { clientOptions: options.clientOptions } : {}),
      ...(options.flushMillis !== undefined ? { flushMillis: options.flushMillis } : {}),
      take: () => this.take(),
      delivered: (response) => this.delivered(response),
      undelivered: (error, messages) => this.undelivered(error, messages),
    });
  }

  /** Step metrics: loss, per-group lr, throughput, gradient norm, per-layer norms when computed. */
  step(
    run: RunLabels,
    report: trainer.StepReport,
    layers: readonly trainer.LayerGradientStats[] | undefined,
  ): void {
    const base = {
      runId: run.runId,
      trialId: run.trialId,
      studyId: run.studyId,
      step: report.step,
      wallTime: new Date(),
    };
    const points: metrics.MetricPoint[] = [
      { ...base, name: 'train_loss', value: report.loss },
      { ...base, name: 'samples_per_second', value: report.samplesPerSecond },
      { ...base, name: 'step_seconds', value: report.stepSeconds },
      { ...base, name: 'epoch', value: report.epoch },
    ];
    for (const g of report.learningRates)
      points.push({ ...base, name: 'lr', value: g.lr, parameterGroup: g.group });
    if (report.gradientNorm !== undefined)
      points.push({ ...base, name: 'grad_norm', value: report.gradientNorm });
    for (const l of layers ?? [])
      points.push({
        ...base,
        name: 'grad_norm',
        value: l.gradientNorm,
        layer: l.layer,
      });
    this.push(points);
  }

  validation(run: RunLabels, result: trainer.ValidationResult): void {
    const base = {
      runId: run.runId,
      trialId: run.trialId,
      studyId: run.studyId,
      step: result.step,
      wallTime: new Date(),
    };
    const points: metrics.MetricPoint[] = [
      { ...base, name: 'val_loss', value: result.loss },
      { ...base, name: 'val_top1', value: result.top1 },
    ];
    if (result.top5 !== undefined) points.push({ ...base, name: 'val_top5', value: result.top5 });
    this.push(points);
  }

  runState(run: RunLabels, state: trainer.RunState): void {
    this.updates.push({
      runId: run.runId,
      trialId: run.trialId,
      studyId: run.studyId,
      state,
      time: new Date(),
    });
  }

  /** Sends what is buffered now (the timer calls it; tests may too). */
  flush(): Promise<void> {
    return this.sender.flush();
  }

  /**
   * Delivers everything buffered up to now, giving up after `timeoutMs`: a worker calls it before
   * completing a trial, so a finished trial's metrics are in the metrics service, without a dead
   * metrics service holding the trial back.
   */
  drain(timeoutMs: number): Promise<void> {
    return this.sender.drain(timeoutMs);
  }

  /** Last delivery of everything buffered (at most `timeoutMs`), then closes the channel. */
  close(timeoutMs = 5000): Promise<void> {
    return this.sender.close(timeoutMs);
  }

  private push(points: metrics.MetricPoint[]): void {
    this.buffer.push(...points);
    const excess = this.buffer.length - this.maxBuffered;
    if (excess > 0) {
      this.buffer.splice(0, excess);
      this.dropped.inc({ reason: 'buffer_full' }, excess);
    }
  }

  private take(): metrics.ReportMetricsRequest[] {
    const points = this.buffer;
    const updates = this.updates;
    this.buffer = [];
    this.updates = [];
    const messages: metrics.ReportMetricsRequest[] = [];
    for (let i = 0; i < points.length || (i === 0 && updates.length > 0); i += this.batchSize)
      messages.push({
        points: points.slice(i, i + this.batchSize),
        source: this.options.source,
        runUpdates: i === 0 ? updates : [],
        trialUpdates: [],
      });
    return messages;
  }

  private delivered(response: metrics.ReportMetricsResponse): void {
    this.sent.inc(response.accepted);
    if (response.rejected > 0) {
      this.dropped.inc({ reason: 'rejected' }, response.rejected);
      // A rejected point is a bug on one side of the contract: say which points and why.
      this.options.logger?.warn(
        { reasons: response.rejectionReasons, examples: response.rejectedPoints.slice(0, 5) },
        `the metrics service rejected ${response.rejected} points`,
      );
    }
  }

  private undelivered(error: Error, messages: metrics.ReportMetricsRequest[]): void {
    // Kept for the next flush, before anything newer (the newest win when over the bound).
    this.options.logger?.debug({ err: error }, 'metrics service unavailable; points kept for retry');
    this.buffer = messages.flatMap((m) => m.points).concat(this.buffer);
    this.updates = messages.flatMap((m) => m.runUpdates).concat(this.updates);
    this.push([]);
  }
}
