import { type ChannelCredentials, type ClientOptions, credentials, Metadata } from '@grpc/grpc-js';
import { metrics } from '@athanor/contracts';

export interface MetricsSenderOptions {
  /** The metrics service, host:port. */
  readonly address: string;
  /** Channel credentials (TLS) and options (bearer token). Default plaintext. */
  readonly credentials?: ChannelCredentials;
  readonly clientOptions?: ClientOptions;
  /** Flush period. Default 1 s. */
  readonly flushMillis?: number;
  /** Longest wait between reconnection attempts while the service is down. Default 5 s. */
  readonly maxReconnectBackoffMillis?: number;
  /**
   * Takes everything waiting as the messages of one ReportMetrics stream (empty: nothing to send).
   * What it took is handed back to `delivered` or `undelivered`.
   */
  take(): metrics.ReportMetricsRequest[];
  /** The service answered (its counts say what it accepted and rejected). */
  delivered(response: metrics.ReportMetricsResponse, sent: metrics.ReportMetricsRequest[]): void;
  /** The service was unreachable or failed: keep `sent` for the next flush, within the bound. */
  undelivered(error: Error, sent: metrics.ReportMetricsRequest[]): void;
}

/**
 * The delivery side of a reporter to the metrics service (ReportMetrics client stream), shared by
 * the trainer's points and the tuner's trial updates: a timer flushes what waits, one flush at a
 * time; a caller never waits on the service. Buffering and its bound stay with the reporter,
 * which knows what may be merged or dropped.
 */
export class MetricsSender {
  private readonly client: metrics.MetricsServiceClient;
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> | undefined;

  constructor(private readonly options: MetricsSenderOptions) {
    const maxBackoff = options.maxReconnectBackoffMillis ?? 5000;
    this.client = new metrics.MetricsServiceClient(
      options.address,
      options.credentials ?? credentials.createInsecure(),
      {
        // grpc-js backs off up to 2 minutes between reconnects by default; a metrics service that
        // is back should get what waits within seconds.
        'grpc.initial_reconnect_backoff_ms': Math.min(1000, maxBackoff),
        'grpc.max_reconnect_backoff_ms': maxBackoff,
        ...options.clientOptions,
      },
    );
    this.timer = setInterval(() => void this.flush(), options.flushMillis ?? 1000);
    this.timer.unref();
  }

  /** Sends what waits now (the timer calls it; tests may too); joins a flush under way. */
  flush(): Promise<void> {
    return this.flushOnce(false);
  }

  private flushOnce(waitForReady: boolean): Promise<void> {
    this.flushing ??= this.send(waitForReady).finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /**
   * Delivers everything waiting up to now, giving up after `timeoutMs`. A flush under way may have
   * started before the last items, so it is waited out and another one sent.
   */
  async drain(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    const drained = (async () => {
      await this.flushing;
      // Waits for the channel (up to the timeout) instead of failing at once while it reconnects:
      // the last points of a run or a process are worth a few seconds.
      await this.flushOnce(true);
    })();
    await Promise.race([drained, timeout]).finally(() => clearTimeout(timer));
  }

  /** Last delivery of everything waiting (at most `timeoutMs`), then closes the channel. */
  async close(timeoutMs = 5000): Promise<void> {
    clearInterval(this.timer);
    await this.drain(timeoutMs);
    this.client.close();
  }

  private async send(waitForReady: boolean): Promise<void> {
    const messages = this.options.take();
    if (messages.length === 0) return;
    try {
      const response = await new Promise<metrics.ReportMetricsResponse>((resolve, reject) => {
        const call = this.client.reportMetrics(
          new Metadata({ waitForReady }),
          { deadline: Date.now() + 10_000 },
          (err, res) => (err ? reject(err) : resolve(res)),
        );
        call.on('error', () => undefined);
        for (const m of messages) call.write(m);
        call.end();
      });
      this.options.delivered(response, messages);
    } catch (error) {
      this.options.undelivered(error as Error, messages);
    }
  }
}
