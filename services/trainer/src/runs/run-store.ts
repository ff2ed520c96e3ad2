import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file';
import { EventFile, type EventFileContents, readEventFile } from './event-file';
import { decodeRun, encodeRun, RunFileError, type StoredRun } from './run-file';

/** The record of a run: its state and everything about it but the events, replaced whole. */
export const RUN_FILE = 'run.json';
/** Its events, appended one JSON line each (event-file.ts). */
export const EVENT_FILE = 'events.jsonl';

/**
 * Run records on disk: `<root>/<run id>/run.json` and `events.jsonl`, in the run's checkpoint
 * subdirectory (checkpoint-store.ts) so a run's record and its checkpoints live and go together.
 * Always `<root>/<run id>`, even for a run whose CheckpointPolicy.directory sends its checkpoints
 * elsewhere: that directory may be shared by several runs.
 */
export class RunStore {
  constructor(readonly root: string) {}

  directoryOf(runId: string): string {
    return join(this.root, runId);
  }

  /** Whether a run id is taken (by a record or by checkpoints, of this trainer or another). */
  has(runId: string): boolean {
    return existsSync(this.directoryOf(runId));
  }

  /** Ids of the subdirectories that hold a run record (or the events of one). */
  runIds(): string[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .filter((id) => [RUN_FILE, EVENT_FILE].some((f) => existsSync(join(this.root, id, f))))
      .sort();
  }

  /** The record of `runId`; a RunFileError if it is missing, unreadable or not a record of that run. */
  readRun(runId: string): StoredRun {
    const path = join(this.directoryOf(runId), RUN_FILE);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new RunFileError(`cannot read ${path}: ${(error as Error).message}`);
    }
    let stored: StoredRun;
    try {
      stored = decodeRun(text);
    } catch (error) {
      throw new RunFileError(`${path}: ${(error as Error).message}`);
    }
    if (stored.run.id !== runId) throw new RunFileError(`${path} is the record of run ${stored.run.id}`);
    return stored;
  }

  readEvents(runId: string): EventFileContents {
    return readEventFile(this.eventPath(runId), runId);
  }

  /** Replaces the record of the run; `durable` also fsyncs it. */
  writeRun(stored: StoredRun, durable: boolean): void {
    const dir = this.directoryOf(stored.run.id);
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(join(dir, RUN_FILE), encodeRun(stored), durable);
  }

  /** The appender of a run's events; `existing`: what readEvents found (a resumed run continues it). */
  eventFile(runId: string, existing?: EventFileContents, maxStepLines?: number): EventFile {
    return new EventFile(this.eventPath(runId), existing, maxStepLines);
  }

  /** Removes what a crash mid-write left in a run's directory: atomic-file.ts's temporary files. */
  removeLeftovers(runId: string): void {
    const dir = this.directoryOf(runId);
    try {
      for (const f of readdirSync(dir))
        if (/^(run\.json|events\.jsonl)\.tmp-\d+$/.test(f)) rmSync(join(dir, f), { force: true });
    } catch {
      // Litter at worst; the record itself was read.
    }
  }

  private eventPath(runId: string): string {
    return join(this.directoryOf(runId), EVENT_FILE);
  }
}
