import { closeSync, existsSync, mkdirSync, openSync, readFileSync, truncateSync } from 'node:fs';
import { dirname } from 'node:path';
import { trainer } from '@athanor/contracts';
import { writeAll, writeFileAtomic } from './atomic-file';
import { isTerminalEvent } from './event-log';
import { jsonText } from './json-text';

/**
 * Step lines an event file holds at most. Step events (and gradient reports, also one per step) can
 * number millions, so the file keeps every other event and thins these: when they pass the bound
 * the file is rewritten with the step lines of every s-th step only (s the smallest power of two
 * that halves them), the newest line always kept. What is left stays spread evenly over the run,
 * dense since the last rewrite. A watcher replaying a run from before a restart sees the thinned
 * steps (sequences with gaps); the other events all.
 */
export const MAX_STEP_LINES = 2000;

export class EventFileError extends Error {
  override readonly name = 'EventFileError';
}

/** What an event file holds. */
export interface EventFileContents {
  readonly events: trainer.RunEvent[];
  /** Bytes of whole lines; a line cut short by a crash after them is not part of the file. */
  readonly validLength: number;
  /** Whether there was such a line. */
  readonly torn: boolean;
}

/** The step a per-step event (step report, gradient report) belongs to; undefined for the others. */
function stepOf(event: trainer.RunEvent): number | undefined {
  const body = event.event;
  return body?.$case === 'step' || body?.$case === 'gradientReport' ? body.value.step : undefined;
}

/**
 * Reads the events of run `runId` (none if the file does not exist). A partial last line (the
 * process died while appending it; no watcher saw that event) is dropped; anything else that is not
 * the run's next event is an EventFileError.
 */
export function readEventFile(path: string, runId: string): EventFileContents {
  if (!existsSync(path)) return { events: [], validLength: 0, torn: false };
  const bytes = readFileSync(path);
  const end = bytes.lastIndexOf(0x0a) + 1;
  const events: trainer.RunEvent[] = [];
  let start = 0;
  for (let line = 1; start < end; line++) {
    const newline = bytes.indexOf(0x0a, start);
    let event: trainer.RunEvent;
    try {
      event = trainer.RunEvent.fromJSON(JSON.parse(bytes.toString('utf8', start, newline)));
    } catch (error) {
      throw new EventFileError(`${path}:${line}: ${(error as Error).message}`);
    }
    const previous = events[events.length - 1];
    if (
      event.runId !== runId ||
      event.event === undefined ||
      !Number.isSafeInteger(event.sequence) ||
      event.sequence <= (previous?.sequence ?? 0) ||
      (previous !== undefined && isTerminalEvent(previous))
    )
      throw new EventFileError(`${path}:${line}: not the next event of run ${runId}`);
    events.push(event);
    start = newline + 1;
  }
  return { events, validLength: end, torn: end < bytes.length };
}

/**
 * Appends a run's events to its file, one proto3 JSON line each, and keeps the step lines within
 * `maxStepLines` (MAX_STEP_LINES by default) by rewriting the file atomically when they pass it.
 * Appends are not fsynced: a killed process loses nothing written, a power loss at most the tail.
 */
export class EventFile {
  private fd: number | undefined;
  private stepLines: number;
  private readonly maxStepLines: number;

  /** `existing`: what readEventFile found in the file (a torn last line is cut off first). */
  constructor(
    readonly path: string,
    existing?: EventFileContents,
    maxStepLines = MAX_STEP_LINES,
  ) {
    // Thinning halves the step lines; at least two so that the newest one always fits.
    this.maxStepLines = Math.max(2, maxStepLines);
    if (existing?.torn) truncateSync(path, existing.validLength);
    this.stepLines = existing?.events.filter((e) => stepOf(e) !== undefined).length ?? 0;
  }

  append(event: trainer.RunEvent): void {
    if (this.fd === undefined) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, 'a', 0o644);
    }
    writeAll(this.fd, Buffer.from(`${jsonText(trainer.RunEvent.toJSON(event))}\n`, 'utf8'));
    if (stepOf(event) !== undefined && ++this.stepLines > this.maxStepLines) this.thin();
    if (isTerminalEvent(event)) this.close();
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  private thin(): void {
    this.close();
    const lines = readFileSync(this.path, 'utf8').split('\n').slice(0, -1);
    const steps = lines.map((line) => {
      const o = JSON.parse(line) as { step?: { step?: number }; gradientReport?: { step?: number } };
      return o.step !== undefined ? (o.step.step ?? 0) : o.gradientReport?.step;
    });
    const last = lines.length - 1;
    const kept = (stride: number): number[] =>
      lines.flatMap((_, i) => (steps[i] === undefined || i === last || steps[i] % stride === 0 ? [i] : []));
    const stepCount = (indices: number[]): number => indices.filter((i) => steps[i] !== undefined).length;
    let stride = 2;
    let keep = kept(stride);
    while (stepCount(keep) > this.maxStepLines / 2) {
      stride *= 2;
      keep = kept(stride);
    }
    writeFileAtomic(this.path, keep.map((i) => `${lines[i]}\n`).join(''));
    this.stepLines = stepCount(keep);
  }
}
