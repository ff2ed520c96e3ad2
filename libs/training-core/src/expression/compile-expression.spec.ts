import { describe, expect, it } from 'vitest';
import { compileExpression } from './compile-expression';
import { ExpressionError } from './expression-error';

const at = (source: string, epoch: number): number => compileExpression(source).evaluate({ epoch });

function errorOf(run: () => unknown): ExpressionError {
  try {
    run();
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error('expected an ExpressionError');
}

describe('compileExpression', () => {
  // Expected values are what CPython prints for the same text (python3 -c "epoch=...; print(...)").
  it.each([
    ['0.95 ** epoch', 3, 0.857375],
    ['-2 ** 2', 0, -4],
    ['2 ** -1', 0, 0.5],
    ['2 ** 3 ** 2', 0, 512],
    ['(-2) ** 2', 0, 4],
    ['1 + 2 * 3 - 4 / 2', 0, 5],
    ['-7 % 3', 0, 2],
    ['7 % -3', 0, -2],
    ['-7 // 2', 0, -4],
    ['7.5 // 2', 0, 3],
    ['epoch // 30', 61, 2],
    ['min(1, epoch / 5, 0.5)', 4, 0.5],
    ['max(0.1, 1 - epoch / 10)', 20, 0.1],
    ['floor(epoch / 3) + ceil(0.2) + abs(-1)', 7, 4],
    ['log(8, 2) + log(e) + sqrt(16)', 0, 8],
    ['cos(pi) + sin(0) + exp(0)', 0, 0],
    ['.5 + 1. + 1e-1 + 2E2', 0, 201.6],
    ['+epoch', 2, 2],
    ['- - epoch', 2, 2],
  ])('%s at epoch %d is %d', (source, epoch, expected) => {
    expect(at(source, epoch)).toBeCloseTo(expected, 12);
  });

  it('names the position and the unknown name', () => {
    const error = errorOf(() => compileExpression('0.95 ** epcoh'));
    expect(error.position).toBe(8);
    expect(error.message).toMatch(/^at position 8: unknown name 'epcoh' \(known: epoch, pi, e, min\(\)/);
  });

  it('names unknown functions and wrong arities', () => {
    expect(errorOf(() => compileExpression('tan(epoch)')).message).toMatch(
      /position 0: unknown function 'tan'/,
    );
    expect(errorOf(() => compileExpression('1 + exp(1, 2)')).message).toMatch(
      /position 4: exp\(\) takes 1 argument/,
    );
    expect(errorOf(() => compileExpression('min(epoch)')).message).toMatch(/min\(\) takes at least 2/);
    expect(errorOf(() => compileExpression('exp + 1')).message).toMatch(/'exp' is a function/);
  });

  it.each([
    ['', 0, /expected a number, a name or '\(' but found the end/],
    ['1 +', 3, /found the end of the expression/],
    ['(1 + 2', 6, /expected '\)' to close the '\(' at position 0/],
    ['1 2', 2, /unexpected '2'/],
    ['epoch ^ 2', 6, /unexpected character '\^'/],
    ['2 ** * 3', 5, /expected a number/],
    ['max(1,)', 6, /expected a number/],
    ['exp()', 4, /exp\(\) needs an argument/],
    ['12abc', 0, /malformed number '12abc'/],
    ['__import__("os")', 11, /unexpected character '"'/],
    ['epoch; 1', 5, /unexpected character ';'/],
  ])('rejects %j at position %d', (source, position, message) => {
    const error = errorOf(() => compileExpression(source));
    expect(error.position).toBe(position);
    expect(error.message).toMatch(message);
  });

  it('refuses attribute access and anything that is not arithmetic', () => {
    expect(() => compileExpression('epoch.constructor')).toThrow(ExpressionError);
    expect(() => compileExpression('constructor')).toThrow(/unknown name 'constructor'/);
    expect(() => compileExpression('toString(1)')).toThrow(/unknown function 'toString'/);
  });

  it('bounds nesting and length instead of overflowing the stack', () => {
    expect(() => compileExpression('('.repeat(200) + '1' + ')'.repeat(200))).toThrow(/nested deeper than 64/);
    expect(() => compileExpression('-'.repeat(500) + '1')).toThrow(/nested deeper/);
    expect(() => compileExpression('1+'.repeat(600) + '1')).toThrow(/longer than 1000/);
  });

  it('raises where Python raises instead of returning Infinity or NaN', () => {
    expect(() => at('1 / epoch', 0)).toThrow(/division by zero/);
    expect(() => at('epoch % 0', 3)).toThrow(/division by zero/);
    expect(() => at('log(epoch)', 0)).toThrow(/log\(\) gives -Infinity/);
    expect(() => at('sqrt(-1)', 0)).toThrow(/sqrt\(\) gives NaN/);
    expect(() => at('exp(1000)', 0)).toThrow(/exp\(\) gives Infinity/);
    expect(() => at('0 ** -1', 0)).toThrow(/0 raised to a negative power/);
    expect(() => at('(-8) ** 0.5', 0)).toThrow(/'\*\*' gives NaN/);
  });

  it('can declare other variables', () => {
    expect(compileExpression('step * 2', ['step']).evaluate({ step: 4 })).toBe(8);
    expect(() => compileExpression('epoch', ['step'])).toThrow(/unknown name 'epoch'/);
  });
});
