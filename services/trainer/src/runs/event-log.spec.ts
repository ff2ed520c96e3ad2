import { trainer } from '@athanor/contracts';
import { describe, expect, it } from 'vitest';
import { EventLog } from './event-log';

describe('EventLog', () => {
  it('numbers events from 1, replays from any sequence and closes at the terminal event', () => {
    const log = new EventLog('run-1');
    const seen: number[] = [];
    log.append({ $case: 'checkpoint', value: trainer.CheckpointSaved.fromPartial({ best: false }) });
    const unsubscribe = log.subscribe((e) => seen.push(e.sequence));
    log.append({ $case: 'checkpoint', value: trainer.CheckpointSaved.fromPartial({ best: true }) });
    log.append({ $case: 'cancelled', value: trainer.RunCancelled.fromPartial({ reason: 'x' }) });
    expect(seen).toEqual([2, 3]);
    expect(log.since(1).map((e) => e.sequence)).toEqual([2, 3]);
    expect(log.closed).toBe(true);
    expect(() =>
      log.append({ $case: 'checkpoint', value: trainer.CheckpointSaved.fromPartial({ best: false }) }),
    ).toThrow(/after the terminal/);
    unsubscribe();
  });

  it('continues after restored events, replays by sequence across gaps, and writes before fan-out', () => {
    const restored = [1, 2, 5].map((sequence) => ({
      runId: 'run-1',
      sequence,
      time: new Date(0),
      event: { $case: 'checkpoint' as const, value: trainer.CheckpointSaved.fromPartial({}) },
    }));
    const written: number[] = [];
    const log = new EventLog('run-1', { restored, sink: (e) => written.push(e.sequence) });
    expect(log.lastSequence).toBe(5);
    log.subscribe((e) => expect(written).toContain(e.sequence));
    expect(log.append({ $case: 'checkpoint', value: trainer.CheckpointSaved.fromPartial({}) }).sequence).toBe(
      6,
    );
    expect(log.since(2).map((e) => e.sequence)).toEqual([5, 6]);
    expect(log.since(3).map((e) => e.sequence)).toEqual([5, 6]);
    expect(written).toEqual([6]);
  });

  it('reads a finished run from disk each time a watcher replays it', () => {
    let reads = 0;
    const events = [1, 3].map((sequence) => ({
      runId: 'run-1',
      sequence,
      time: new Date(0),
      event:
        sequence === 3
          ? { $case: 'cancelled' as const, value: trainer.RunCancelled.fromPartial({ reason: 'x' }) }
          : { $case: 'checkpoint' as const, value: trainer.CheckpointSaved.fromPartial({}) },
    }));
    const log = EventLog.onDisk('run-1', 3, () => (reads++, events));
    expect([log.closed, log.lastSequence, reads]).toEqual([true, 3, 0]);
    expect(log.since(1).map((e) => e.sequence)).toEqual([3]);
    expect(log.since(0)).toHaveLength(2);
    expect(reads).toBe(2);
  });
});
