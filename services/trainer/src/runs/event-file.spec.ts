import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainer } from '@athanor/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { EventFile, EventFileError, readEventFile } from './event-file';

const dir = mkdtempSync(join(tmpdir(), 'athanor-event-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const event = (sequence: number, body: trainer.RunEvent['event']): trainer.RunEvent => ({
  runId: 'run-1',
  sequence,
  time: new Date(1_700_000_000_000 + sequence),
  event: body,
});
const step = (n: number): trainer.RunEvent['event'] => ({
  $case: 'step',
  value: trainer.StepReport.fromPartial({ step: n, loss: n === 3 ? Number.NaN : 1 / n }),
});
const epoch = (n: number): trainer.RunEvent['event'] => ({
  $case: 'epochSummary',
  value: trainer.EpochSummary.fromPartial({ epoch: n, step: (n + 1) * 100 }),
});
const lines = (path: string): string[] => readFileSync(path, 'utf8').split('\n').slice(0, -1);

describe('EventFile', () => {
  it('keeps every non-step event and at most maxStepLines step lines, spread evenly', () => {
    const path = join(dir, 'bound.jsonl');
    const file = new EventFile(path, undefined, 40);
    let sequence = 0;
    for (let s = 1; s <= 1000; s++) {
      file.append(event(++sequence, step(s)));
      if (s % 100 === 0) file.append(event(++sequence, epoch(s / 100 - 1)));
      const stepLines = lines(path).filter((l) => l.includes('"step":{')).length;
      expect(stepLines).toBeLessThanOrEqual(40);
    }
    file.append(
      event(++sequence, { $case: 'finished', value: trainer.RunFinished.fromPartial({ step: 1000 }) }),
    );
    const { events, torn } = readEventFile(path, 'run-1');
    expect(torn).toBe(false);
    expect(events.filter((e) => e.event?.$case === 'epochSummary')).toHaveLength(10);
    expect(events.at(-1)?.sequence).toBe(sequence);
    const steps = events.flatMap((e) => (e.event?.$case === 'step' ? [e.event.value.step] : []));
    // The newest step always, the others on a power-of-two stride (a few dense ones since the last thinning).
    expect(steps.at(-1)).toBe(1000);
    expect(steps.length).toBeGreaterThan(10);
    const stride = steps[1] - steps[0];
    expect(Math.log2(stride) % 1).toBe(0);
    expect(steps.filter((s) => s <= 800).every((s) => s % stride === 0)).toBe(true);
    // Sequences ascend (with gaps where steps were dropped).
    expect(events.every((e, i) => i === 0 || e.sequence > events[i - 1].sequence)).toBe(true);
  });

  it('round-trips non-finite numbers as proto3 JSON writes them', () => {
    const path = join(dir, 'nan.jsonl');
    const file = new EventFile(path);
    file.append(event(1, step(3)));
    file.close();
    expect(readFileSync(path, 'utf8')).toContain('"loss":"NaN"');
    const [e] = readEventFile(path, 'run-1').events;
    expect(e.event?.$case === 'step' && e.event.value.loss).toBeNaN();
  });

  it('drops a torn last line, cuts it off before appending, and rejects a corrupt one elsewhere', () => {
    const path = join(dir, 'torn.jsonl');
    const file = new EventFile(path);
    file.append(event(1, step(1)));
    file.append(event(2, step(2)));
    file.close();
    appendFileSync(path, '{"runId":"run-1","sequence":3,"ti');
    const read = readEventFile(path, 'run-1');
    expect(read.torn).toBe(true);
    expect(read.events.map((e) => e.sequence)).toEqual([1, 2]);
    const again = new EventFile(path, read);
    again.append(event(3, step(3)));
    again.close();
    expect(readEventFile(path, 'run-1').events.map((e) => e.sequence)).toEqual([1, 2, 3]);

    const corrupt = join(dir, 'corrupt.jsonl');
    appendFileSync(corrupt, `{"runId":"run-1","sequence":1,"step":{"step":1}}\nnot json\n`);
    expect(() => readEventFile(corrupt, 'run-1')).toThrow(EventFileError);
    const foreign = join(dir, 'foreign.jsonl');
    appendFileSync(foreign, `{"runId":"run-2","sequence":1,"step":{"step":1}}\n`);
    expect(() => readEventFile(foreign, 'run-1')).toThrow(/not the next event of run run-1/);
  });
});
