import type { ExpressionNode } from './ast';
import { ExpressionError } from './expression-error';
import { CONSTANTS, FUNCTIONS } from './functions';
import { parseExpression } from './parser';
import { pyFloorDiv, pyMod } from './python-arithmetic';

/** A parsed, name-checked expression; evaluating it never runs code from the source. */
export interface CompiledExpression {
  readonly source: string;
  readonly variables: readonly string[];
  /**
   * Evaluates with the given variable values. Throws ExpressionError where Python would raise
   * (division by zero, a math domain error, overflow): a non-finite result is never returned.
   */
  evaluate(values: Readonly<Record<string, number>>): number;
}

/**
 * Tokenizes, parses and resolves `source` (numbers, + - * / // % **, unary signs, parentheses,
 * min/max/exp/log/cos/sin/sqrt/floor/ceil/abs, the constants pi and e, and `variables`).
 * Throws ExpressionError naming the position of the first problem and any unknown name.
 */
export function compileExpression(
  source: string,
  variables: readonly string[] = ['epoch'],
): CompiledExpression {
  const tree = parseExpression(source);
  resolveNames(tree, variables);
  return {
    source,
    variables,
    evaluate: (values) => evaluateNode(tree, values),
  };
}

function knownNames(variables: readonly string[]): string {
  return [...variables, ...Object.keys(CONSTANTS), ...Object.keys(FUNCTIONS).map((f) => `${f}()`)].join(', ');
}

function resolveNames(node: ExpressionNode, variables: readonly string[]): void {
  switch (node.type) {
    case 'number':
      return;
    case 'name':
      if (variables.includes(node.name) || Object.hasOwn(CONSTANTS, node.name)) return;
      if (Object.hasOwn(FUNCTIONS, node.name)) {
        throw new ExpressionError(
          `'${node.name}' is a function; call it as ${node.name}(...)`,
          node.position,
        );
      }
      throw new ExpressionError(
        `unknown name '${node.name}' (known: ${knownNames(variables)})`,
        node.position,
      );
    case 'unary':
      return resolveNames(node.operand, variables);
    case 'binary':
      resolveNames(node.left, variables);
      return resolveNames(node.right, variables);
    case 'call': {
      const fn = Object.hasOwn(FUNCTIONS, node.name) ? FUNCTIONS[node.name] : undefined;
      if (!fn)
        throw new ExpressionError(
          `unknown function '${node.name}' (known: ${knownNames(variables)})`,
          node.position,
        );
      if (node.args.length < fn.minArgs || node.args.length > fn.maxArgs) {
        const wanted =
          fn.minArgs === fn.maxArgs
            ? `${fn.minArgs}`
            : fn.maxArgs === Infinity
              ? `at least ${fn.minArgs}`
              : `${fn.minArgs} to ${fn.maxArgs}`;
        throw new ExpressionError(
          `${node.name}() takes ${wanted} argument(s), got ${node.args.length}`,
          node.position,
        );
      }
      for (const arg of node.args) resolveNames(arg, variables);
      return;
    }
  }
}

function evaluateNode(node: ExpressionNode, values: Readonly<Record<string, number>>): number {
  switch (node.type) {
    case 'number':
      return node.value;
    case 'name': {
      const value = Object.hasOwn(values, node.name) ? values[node.name] : CONSTANTS[node.name];
      if (value === undefined) throw new ExpressionError(`no value for '${node.name}'`, node.position);
      return value;
    }
    case 'unary': {
      const operand = evaluateNode(node.operand, values);
      return node.operator === '-' ? -operand : operand;
    }
    case 'binary':
      return finite(
        applyBinary(
          node.operator,
          evaluateNode(node.left, values),
          evaluateNode(node.right, values),
          node.position,
        ),
        node,
      );
    case 'call': {
      const args = node.args.map((arg) => evaluateNode(arg, values));
      return finite(FUNCTIONS[node.name].apply(args), node);
    }
  }
}

function applyBinary(operator: string, a: number, b: number, position: number): number {
  switch (operator) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
    case '//':
    case '%':
      // Python raises ZeroDivisionError where JavaScript returns Infinity or NaN.
      if (b === 0) throw new ExpressionError(`division by zero (${a} ${operator} 0)`, position);
      return operator === '/' ? a / b : operator === '//' ? pyFloorDiv(a, b) : pyMod(a, b);
    default:
      // Python: 0 ** negative raises; a negative base with a fractional exponent is complex.
      if (a === 0 && b < 0) throw new ExpressionError(`0 raised to a negative power (${b})`, position);
      return a ** b;
  }
}

function finite(value: number, node: ExpressionNode): number {
  if (Number.isFinite(value)) return value;
  const what =
    node.type === 'call'
      ? `${node.name}()`
      : node.type === 'binary'
        ? `'${node.operator}'`
        : 'the expression';
  throw new ExpressionError(`${what} gives ${value} (Python raises a math error here)`, node.position);
}
