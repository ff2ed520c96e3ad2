import { context, type Span, SpanStatusCode, trace } from '@opentelemetry/api';

const tracer = trace.getTracer('athanor-trainer');

/**
 * The training loop's spans: one per epoch and one per checkpoint, children of the run's span (the
 * active context); never one per step, which lasts milliseconds and would drown a trace. With
 * tracing off the API hands out no-op spans, so this costs nothing.
 */
export class LoopSpans {
  private epoch: Span | undefined;

  get inEpoch(): boolean {
    return this.epoch !== undefined;
  }

  beginEpoch(epoch: number, step: number): void {
    this.epoch = tracer.startSpan('trainer.epoch', {
      attributes: { 'athanor.epoch': epoch, 'athanor.step': step },
    });
  }

  /** Ends the epoch's span (after its validation and checkpoint, which belong to it). */
  endEpoch(attributes: Record<string, number>): void {
    this.epoch?.setAttributes(attributes);
    this.epoch?.end();
    this.epoch = undefined;
  }

  /** Runs a checkpoint write in its own span, under the current epoch's when there is one. */
  async checkpoint<T extends { step: number; sizeBytes: number }>(
    best: boolean,
    write: () => Promise<T>,
  ): Promise<T> {
    const parent = this.epoch ? trace.setSpan(context.active(), this.epoch) : context.active();
    const span = tracer.startSpan('trainer.checkpoint', { attributes: { 'athanor.best': best } }, parent);
    try {
      const ref = await write();
      span.setAttributes({ 'athanor.step': ref.step, 'athanor.size_bytes': ref.sizeBytes });
      return ref;
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  }

  /** Ends an epoch left open: the run stopped inside it (max_steps, a cancel, a failure). */
  close(): void {
    this.epoch?.setAttribute('athanor.partial_epoch', true);
    this.epoch?.end();
    this.epoch = undefined;
  }
}
