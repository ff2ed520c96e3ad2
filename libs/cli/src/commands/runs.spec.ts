import { trainer } from '@athanor/contracts';
import { describe, expect, it } from 'vitest';
import { formatRunsTable, parseStates } from './runs';

describe('athanor runs', () => {
  it('parses --state lists and names a bad one', () => {
    expect(parseStates('running, completed')).toEqual([
      trainer.RunState.RUN_STATE_RUNNING,
      trainer.RunState.RUN_STATE_COMPLETED,
    ]);
    expect(parseStates(undefined)).toEqual([]);
    expect(() => parseStates('done')).toThrow(/--state: unknown state "done"/);
  });

  it('lists runs as a table', () => {
    const table = formatRunsTable([
      trainer.Run.fromPartial({
        id: 'run-1',
        name: 'cnn',
        state: trainer.RunState.RUN_STATE_RUNNING,
        step: 10,
        totalSteps: 100,
        epoch: 0,
        lastLoss: 0.51234,
        bestValidation: { top1: 0.875 },
        createdAt: new Date('2026-01-02T03:04:05Z'),
      }),
    ]);
    expect(table.split('\n')).toEqual([
      'id     state    name  step    epoch  loss    val top-1  created',
      'run-1  running  cnn   10/100  0      0.5123  87.50%     2026-01-02 03:04:05',
    ]);
  });
});
