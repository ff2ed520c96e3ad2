import { AthanorError } from '@athanor/service-kit';
import { status } from '@grpc/grpc-js';

/**
 * A request's deadline: the client's, capped by the service's own. tfjs computes synchronously, so the
 * handlers check it between steps (queued, planned, built, each candidate) rather than pre-empting;
 * the budgets bound how long one step can take.
 */
export class Deadline {
  private readonly at: number;

  constructor(timeoutSeconds: number, clientDeadline?: Date | number) {
    const own = Date.now() + timeoutSeconds * 1000;
    const client = clientDeadline instanceof Date ? clientDeadline.getTime() : clientDeadline;
    this.at = client !== undefined && Number.isFinite(client) ? Math.min(own, client) : own;
  }

  /** Throws DEADLINE_EXCEEDED once the deadline has passed, naming the step. */
  check(step: string): void {
    if (Date.now() > this.at) throw new AthanorError(status.DEADLINE_EXCEEDED, `deadline exceeded ${step}`);
  }
}

/** Runs tasks one at a time: tfjs's engine is process-wide and the memory budget assumes one model at a time. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
