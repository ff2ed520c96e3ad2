import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RunStore } from '../store/run-store';
import { StudyStore } from '../store/study-store';
import { Ingestor } from './ingest-batch';
import { point, report as message } from '../testing/points';
import { consumeReportStream, StreamGate } from './report-metrics';

const limits = { maxPointsPerSeries: 64, maxSeriesPerRun: 16, maxRuns: 8, finishedRunTtlMs: 1, idleRunMs: 1 };

describe('consumeReportStream', () => {
  it('totals accepted and rejected points over the stream, reasons sorted, examples indexed', async () => {
    const ingestor = new Ingestor(new RunStore(limits), new StudyStore(1, 1), () => 0);
    const response = await consumeReportStream(
      Readable.from([
        message([point({ step: 1 }), point({ step: 2, value: Number.NaN })]),
        message([point({ step: 3 }), point({ step: 0 }), point({ runId: '' })]),
      ]),
      ingestor,
    );
    expect(response).toMatchObject({ accepted: 2, rejected: 3, evicted: 0 });
    expect(response.rejectionReasons).toEqual([
      { reason: 'missing_run_id', count: 1 },
      { reason: 'non_finite_value', count: 1 },
      { reason: 'out_of_order_step', count: 1 },
    ]);
    expect(response.rejectedPoints).toEqual([
      { messageIndex: 0, pointIndex: 1, reason: 'non_finite_value' },
      { messageIndex: 1, pointIndex: 1, reason: 'out_of_order_step' },
      { messageIndex: 1, pointIndex: 2, reason: 'missing_run_id' },
    ]);
  });

  it('pulls a message only after the previous one is stored (backpressure, no unbounded queue)', async () => {
    let produced = 0;
    let stored = 0;
    let maxAhead = 0;
    function* source() {
      for (let i = 0; i < 500; i++) {
        produced++;
        maxAhead = Math.max(maxAhead, produced - stored);
        yield message([point({ step: i })]);
      }
    }
    const ingestor = new Ingestor(new RunStore(limits), new StudyStore(1, 1), () => 0);
    const counting = { observe: () => void stored++ };
    const response = await consumeReportStream(
      Readable.from(source(), { objectMode: true, highWaterMark: 4 }),
      ingestor,
      counting,
    );
    expect(response.accepted).toBe(500);
    // The producer never runs more than the stream's buffer ahead of the consumer.
    expect(maxAhead).toBeLessThanOrEqual(4 + 2);
  });

  it('answers with what was stored when the client cancels', async () => {
    const stream = new Readable({ objectMode: true, read() {} }) as Readable & { cancelled: boolean };
    stream.cancelled = false;
    const ingestor = new Ingestor(new RunStore(limits), new StudyStore(1, 1), () => 0);
    const done = consumeReportStream(stream, ingestor);
    stream.push(message([point()]));
    setImmediate(() => {
      stream.cancelled = true;
      stream.destroy();
    });
    await expect(done).resolves.toMatchObject({ accepted: 1 });
  });
});

describe('StreamGate', () => {
  it('refuses a stream beyond the limit with RESOURCE_EXHAUSTED and frees slots', async () => {
    const gate = new StreamGate(1);
    let release!: () => void;
    const first = gate.run(() => new Promise<void>((r) => (release = r)));
    await expect(gate.run(() => Promise.resolve())).rejects.toMatchObject({ code: 8 });
    release();
    await first;
    await expect(gate.run(() => Promise.resolve('ok'))).resolves.toBe('ok');
    expect(gate.active).toBe(0);
  });
});
