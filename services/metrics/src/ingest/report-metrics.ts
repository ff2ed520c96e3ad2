import { setImmediate as nextTurn } from 'node:timers/promises';
import type { metrics } from '@athanor/contracts';
import { ResourceExhaustedError } from '@athanor/service-kit';
import type { BatchOutcome, Ingestor } from './ingest-batch';

/** ReportMetricsResponse lists this many rejected points as examples (the contract's limit). */
export const MAX_REJECTED_EXAMPLES = 100;

/** Counts a stream's outcomes as they happen (the Prometheus counters). */
export interface ReportCounters {
  observe(outcome: BatchOutcome): void;
}

/** Where the stream comes from: a grpc-js ServerReadableStream, or any async iterable in tests. */
export interface ReportStream extends AsyncIterable<metrics.ReportMetricsRequest> {
  readonly cancelled?: boolean;
}

/**
 * Reads a ReportMetrics stream one message at a time and answers with the totals.
 *
 * Backpressure: the loop pulls the next message only after the previous one is stored, and a
 * grpc-js server stream asks HTTP/2 for more only when its small object buffer (16 messages) has
 * room, so a client that sends faster than the service stores is slowed by flow control instead
 * of growing a queue here. Between messages the loop yields, so one busy stream cannot starve the
 * /metrics scrape or other streams.
 */
export async function consumeReportStream(
  stream: ReportStream,
  ingestor: Ingestor,
  counters?: ReportCounters,
): Promise<metrics.ReportMetricsResponse> {
  const response: metrics.ReportMetricsResponse = {
    accepted: 0,
    rejected: 0,
    rejectionReasons: [],
    rejectedPoints: [],
    evicted: 0,
    updatesAccepted: 0,
    updatesRejected: 0,
  };
  const reasons = new Map<string, number>();
  let messageIndex = 0;
  try {
    for await (const message of stream) {
      const outcome = ingestor.ingest(message);
      counters?.observe(outcome);
      response.accepted += outcome.accepted;
      response.evicted += outcome.evicted;
      response.rejected += outcome.pointRejections.length;
      response.updatesAccepted += outcome.updatesAccepted;
      response.updatesRejected += outcome.updateRejections.length;
      for (const { index, reason } of outcome.pointRejections) {
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
        if (response.rejectedPoints.length < MAX_REJECTED_EXAMPLES)
          response.rejectedPoints.push({ messageIndex, pointIndex: index, reason });
      }
      for (const reason of outcome.updateRejections) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      messageIndex++;
      await nextTurn();
    }
  } catch (err) {
    // A cancelled call destroys the stream; what was stored stays stored, and nobody is listening
    // for an answer, so this is not an error worth an INTERNAL status and a log line.
    if (!stream.cancelled) throw err;
  }
  response.rejectionReasons = [...reasons]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([reason, count]) => ({ reason, count }));
  return response;
}

/** Bounds concurrent streams: each holds a connection and a read loop, so their number is capped. */
export class StreamGate {
  private open = 0;

  constructor(private readonly max: number) {}

  get active(): number {
    return this.open;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.open >= this.max)
      throw new ResourceExhaustedError(
        `too many concurrent ReportMetrics streams (${this.max}, ATHANOR_METRICS_MAX_STREAMS); retry later`,
      );
    this.open++;
    try {
      return await work();
    } finally {
      this.open--;
    }
  }
}
