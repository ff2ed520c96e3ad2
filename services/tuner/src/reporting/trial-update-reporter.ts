import type { ChannelCredentials, ClientOptions } from '@grpc/grpc-js';
import { metrics } from '@athanor/contracts';
import { type Logger, MetricsSender } from '@athanor/service-kit';
import { Counter, type Registry } from 'prom-client';

export interface TrialUpdateReporterOptions {
  readonly address: string;
  /** Who sends (ReportMetricsRequest.source, for the metrics service's logs). */
  readonly source: string;
  readonly registry: Registry;
  readonly logger?: Logger;
  /**
   * Trials whose update waits while the metrics service is unreachable; beyond it the oldest
   * waiting updates are dropped and counted. Default 10,000.
   */
  readonly maxBuffered?: number;
  /** Flush period. Default 1 s. */
  readonly flushMillis?: number;
  /** Updates per ReportMetrics message (the service refuses lists over 10,000). Default 1,000. */
  readonly batchSize?: number;
  /** Longest wait between reconnection attempts while the metrics service is down. Default 5 s. */
  readonly maxReconnectBackoffMillis?: number;
  /** Channel credentials (TLS) and options (bearer token) for the metrics service. Default plaintext. */
  readonly credentials?: ChannelCredentials;
  readonly clientOptions?: ClientOptions;
}

/**
 * Sends trial state changes to the metrics service (`trial_updates` of the ReportMetrics client
 * stream), batched and never blocking a tuner RPC: `report` only buffers, and a timer flushes.
 * When the service is down the updates wait and are retried; beyond the bound the oldest are
 * dropped and counted (athanor_tuner_trial_updates_dropped_total). The same design as the
 * trainer's MetricsReporter, with one difference: the metrics service keeps one state per trial,
 * so a newer update of a trial replaces its waiting one (superseded, not lost) and the bound
 * counts trials rather than transitions.
 */
export class TrialUpdateReporter {
  /** Waiting updates by trial id, oldest first (Map keeps insertion order). */
  private pending = new Map<string, metrics.TrialUpdate>();
  private readonly sender: MetricsSender;
  private readonly dropped: Counter<'reason'>;
  private readonly sent: Counter;
  private readonly maxBuffered: number;
  private readonly batchSize: number;

  constructor(private readonly options: TrialUpdateReporterOptions) {
    this.maxBuffered = options.maxBuffered ?? 10_000;
    this.batchSize = options.batchSize ?? 1_000;
    this.dropped = new Counter({
      name: 'athanor_tuner_trial_updates_dropped_total',
      help: 'Trial updates not delivered to the metrics service: buffer overflow while it was unreachable, or rejected by it.',
      labelNames: ['reason'] as const,
      registers: [options.registry],
    });
    this.sent = new Counter({
      name: 'athanor_tuner_trial_updates_sent_total',
      help: 'Trial updates the metrics service accepted.',
      registers: [options.registry],
    });
    this.sender = new MetricsSender({
      address: options.address,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      ...(options.clientOptions ? { clientOptions: options.clientOptions } : {}),
      ...(options.flushMillis !== undefined ? { flushMillis: options.flushMillis } : {}),
      ...(options.maxReconnectBackoffMillis !== undefined
        ? { maxReconnectBackoffMillis: options.maxReconnectBackoffMillis }
        : {}),
      take: () => this.take(),
      delivered: (response) => this.delivered(response),
      undelivered: (error, messages) => this.undelivered(error, messages),
    });
  }

  /** Queues updates, oldest first; returns at once. */
  report(updates: readonly metrics.TrialUpdate[]): void {
    for (const u of updates) {
      this.pending.delete(u.trialId);
      this.pending.set(u.trialId, u);
    }
    this.bound();
  }

  /** Sends what waits now (the timer calls it; tests may too). */
  flush(): Promise<void> {
    return this.sender.flush();
  }

  /** Last delivery of everything waiting (at most `timeoutMs`), then closes the channel. */
  close(timeoutMs = 5000): Promise<void> {
    return this.sender.close(timeoutMs);
  }

  private bound(): void {
    const excess = this.pending.size - this.maxBuffered;
    if (excess <= 0) return;
    const oldest = [...this.pending.keys()].slice(0, excess);
    for (const id of oldest) this.pending.delete(id);
    this.dropped.inc({ reason: 'buffer_full' }, excess);
  }

  private take(): metrics.ReportMetricsRequest[] {
    const updates = [...this.pending.values()];
    this.pending = new Map();
    const messages: metrics.ReportMetricsRequest[] = [];
    for (let i = 0; i < updates.length; i += this.batchSize)
      messages.push({
        points: [],
        source: this.options.source,
        runUpdates: [],
        trialUpdates: updates.slice(i, i + this.batchSize),
      });
    return messages;
  }

  private delivered(response: metrics.ReportMetricsResponse): void {
    this.sent.inc(response.updatesAccepted);
    if (response.updatesRejected > 0) {
      this.dropped.inc({ reason: 'rejected' }, response.updatesRejected);
      this.options.logger?.warn(
        { rejected: response.updatesRejected, reasons: response.rejectionReasons },
        'metrics service rejected trial updates',
      );
    }
  }

  private undelivered(error: Error, messages: metrics.ReportMetricsRequest[]): void {
    // Kept for the next flush, behind none of their own newer updates.
    this.options.logger?.debug({ err: error }, 'metrics service unavailable; trial updates kept for retry');
    const newer = this.pending;
    const updates = messages.flatMap((m) => m.trialUpdates);
    this.pending = new Map(updates.filter((u) => !newer.has(u.trialId)).map((u) => [u.trialId, u]));
    for (const [id, u] of newer) this.pending.set(id, u);
    this.bound();
  }
}
