import type { trainer } from '@athanor/contracts';
import type { RunEventBody } from '../loop/training-loop';

type Listener = (event: trainer.RunEvent) => void;

const TERMINAL = new Set(['finished', 'failed', 'cancelled']);

export function isTerminalEvent(event: trainer.RunEvent): boolean {
  return event.event !== undefined && TERMINAL.has(event.event.$case);
}

/**
 * A run's events, numbered from 1 without gaps, kept for late watchers (WatchRun with replay) and
 * fanned out to live ones. A terminal event closes the log.
 */
export class EventLog {
  private readonly events: trainer.RunEvent[] = [];
  private readonly listeners = new Set<Listener>();

  constructor(private readonly runId: string) {}

  get closed(): boolean {
    const last = this.events[this.events.length - 1];
    return last !== undefined && isTerminalEvent(last);
  }

  get lastSequence(): number {
    return this.events.length;
  }

  append(body: RunEventBody): trainer.RunEvent {
    if (this.closed) throw new Error(`run ${this.runId}: event after the terminal one`);
    const event: trainer.RunEvent = {
      runId: this.runId,
      sequence: this.events.length + 1,
      time: new Date(),
      event: body,
    };
    this.events.push(event);
    for (const listener of [...this.listeners]) listener(event);
    if (isTerminalEvent(event)) this.listeners.clear();
    return event;
  }

  /** Events with sequence > after. */
  since(after: number): trainer.RunEvent[] {
    return this.events.slice(Math.max(0, after));
  }

  /** Calls `listener` for every later event; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
