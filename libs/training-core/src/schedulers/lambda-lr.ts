import { ValidationError } from '../errors';
import { compileExpression, ExpressionError, type CompiledExpression } from '../expression';
import { ChainableScheduler } from './chainable-scheduler';
import type { LrGroup } from './lr-group';

/**
 * PyTorch 1.13 LambdaLR with the lambda written as a safe expression over `epoch`:
 * lr = base_lr * f(epoch). Not recursive, and PyTorch gives it no closed form, so step(epoch)
 * evaluates the same formula.
 */
export class LambdaLr extends ChainableScheduler {
  private readonly factor: CompiledExpression;

  constructor(
    groups: LrGroup[],
    expression: string,
    private readonly path: string,
  ) {
    super(groups);
    this.factor = compileExpression(expression, ['epoch']);
    this.initialStep();
  }

  protected getLr(): number[] {
    let factor: number;
    try {
      factor = this.factor.evaluate({ epoch: this.lastEpoch });
    } catch (error) {
      // Where the PyTorch lambda would raise, the step fails too, naming the field and the epoch.
      if (!(error instanceof ExpressionError)) throw error;
      throw new ValidationError({
        field: this.path,
        description: `${error.message} at epoch ${this.lastEpoch}`,
      });
    }
    return this.baseLrs.map((base) => base * factor);
  }
}
