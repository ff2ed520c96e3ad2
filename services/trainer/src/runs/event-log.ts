import type { trainer } from '@athanor/contracts';
import type { RunEventBody } from '../loop/training-loop';

type Listener = (event: trainer.RunEvent) => void;

const TERMINAL = new Set(['finished', 'failed', 'cancelled']);

export function isTerminalEvent(event: trainer.RunEvent): boolean {
  return event.event !== undefined && TERMINAL.has(event.event.$case);
}

export interface EventLogOptions {
  /**
   * Events of the run read back from its event file, in sequence order. Sequences may have gaps
   * where the file thinned step events (event-file.ts); new events continue after the last one.
   */
  readonly restored?: readonly trainer.RunEvent[];
  /**
   * Called with every new event before any listener sees it (the run's event file): a watcher never
   * sees an event that a crash could lose. Default none.
   */
  readonly sink?: (event: trainer.RunEvent) => void;
}

/**
 * A run's events, numbered from 1, kept for late watchers (WatchRun with replay) and fanned out to
 * live ones. A terminal event closes the log. A finished run loaded from disk keeps its events there
 * (`EventLog.onDisk`) and reads them when a watcher asks, so old runs cost no memory.
 */
export class EventLog {
  private readonly events: trainer.RunEvent[];
  private readonly listeners = new Set<Listener>();
  private last: number;
  private isClosed: boolean;

  constructor(
    private readonly runId: string,
    private readonly options: EventLogOptions = {},
    private readonly read?: () => readonly trainer.RunEvent[],
  ) {
    this.events = [...(options.restored ?? [])];
    const tail = this.events[this.events.length - 1];
    this.last = tail?.sequence ?? 0;
    this.isClosed = tail !== undefined && isTerminalEvent(tail);
  }

  /**
   * The closed log of a finished run whose events stay in its event file: `read` returns them (all
   * or what is left of them) each time a watcher replays.
   */
  static onDisk(runId: string, lastSequence: number, read: () => readonly trainer.RunEvent[]): EventLog {
    const log = new EventLog(runId, {}, read);
    log.last = lastSequence;
    log.isClosed = true;
    return log;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get lastSequence(): number {
    return this.last;
  }

  append(body: RunEventBody): trainer.RunEvent {
    if (this.isClosed) throw new Error(`run ${this.runId}: event after the terminal one`);
    const event: trainer.RunEvent = {
      runId: this.runId,
      sequence: this.last + 1,
      time: new Date(),
      event: body,
    };
    this.options.sink?.(event);
    this.events.push(event);
    this.last = event.sequence;
    this.isClosed = isTerminalEvent(event);
    for (const listener of [...this.listeners]) listener(event);
    if (this.isClosed) this.listeners.clear();
    return event;
  }

  /** Events with sequence > after. */
  since(after: number): trainer.RunEvent[] {
    const events = this.read ? this.read() : this.events;
    // Sequences ascend but may have gaps (thinned step events): find the first one past `after`.
    let lo = 0;
    let hi = events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (events[mid].sequence <= after) lo = mid + 1;
      else hi = mid;
    }
    return events.slice(lo);
  }

  /** Calls `listener` for every later event; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
