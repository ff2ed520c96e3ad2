/**
 * An expression that does not tokenize, parse or name-resolve, or that fails while it is evaluated.
 * `position` is the 0-based character offset into the source where the problem starts, so a caller
 * can point at it (`at position 7: unknown name 'epcoh'`).
 */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  readonly position: number;
  /** The problem without the position prefix, for callers that format their own message. */
  readonly detail: string;

  constructor(detail: string, position: number) {
    super(`at position ${position}: ${detail}`);
    this.position = position;
    this.detail = detail;
  }
}
