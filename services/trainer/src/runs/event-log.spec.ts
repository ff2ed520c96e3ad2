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
});
