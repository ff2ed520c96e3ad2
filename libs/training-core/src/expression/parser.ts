import type { BinaryOperator, ExpressionNode } from './ast';
import { ExpressionError } from './expression-error';
import { tokenize, type Token } from './tokenizer';

/** Longer sources and deeper nesting are refused: they are never a real schedule, and a bound keeps recursion safe. */
export const MAX_EXPRESSION_LENGTH = 1000;
const MAX_DEPTH = 64;

/**
 * Parses with Python's precedence, so an expression means what the same text means in a PyTorch
 * `lambda epoch: ...`: `**` binds tighter than a unary minus on its left and is right-associative
 * (`-2 ** 2 == -4`, `2 ** -1 == 0.5`, `2 ** 3 ** 2 == 512`).
 *
 *   expr    := term (('+' | '-') term)*
 *   term    := factor (('*' | '/' | '//' | '%') factor)*
 *   factor  := ('+' | '-') factor | power
 *   power   := primary ('**' factor)?
 *   primary := NUMBER | NAME | NAME '(' expr (',' expr)* ')' | '(' expr ')'
 */
export function parseExpression(source: string): ExpressionNode {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(
      `expression longer than ${MAX_EXPRESSION_LENGTH} characters`,
      MAX_EXPRESSION_LENGTH,
    );
  }
  const parser = new Parser(tokenize(source));
  const node = parser.expr(0);
  parser.expectEnd();
  return node;
}

class Parser {
  private index = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  expr(depth: number): ExpressionNode {
    let left = this.term(depth);
    for (let op = this.operator('+', '-'); op; op = this.operator('+', '-')) {
      left = {
        type: 'binary',
        operator: op.text as BinaryOperator,
        left,
        right: this.term(depth),
        position: op.position,
      };
    }
    return left;
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.kind !== 'end') throw new ExpressionError(`unexpected ${describe(token)}`, token.position);
  }

  private term(depth: number): ExpressionNode {
    let left = this.factor(depth);
    for (let op = this.operator('*', '/', '//', '%'); op; op = this.operator('*', '/', '//', '%')) {
      left = {
        type: 'binary',
        operator: op.text as BinaryOperator,
        left,
        right: this.factor(depth),
        position: op.position,
      };
    }
    return left;
  }

  private factor(depth: number): ExpressionNode {
    const sign = this.operator('+', '-');
    if (sign) {
      this.guardDepth(depth, sign);
      return {
        type: 'unary',
        operator: sign.text as '+' | '-',
        operand: this.factor(depth + 1),
        position: sign.position,
      };
    }
    return this.power(depth);
  }

  private power(depth: number): ExpressionNode {
    const base = this.primary(depth);
    const op = this.operator('**');
    if (!op) return base;
    this.guardDepth(depth, op);
    return {
      type: 'binary',
      operator: '**',
      left: base,
      right: this.factor(depth + 1),
      position: op.position,
    };
  }

  private primary(depth: number): ExpressionNode {
    const token = this.next();
    if (token.kind === 'number') return { type: 'number', value: token.value!, position: token.position };
    if (token.kind === 'name') {
      if (this.peek().kind !== 'lparen') return { type: 'name', name: token.text, position: token.position };
      const open = this.next();
      this.guardDepth(depth, open);
      const args: ExpressionNode[] = [];
      if (this.peek().kind === 'rparen')
        throw new ExpressionError(`${token.text}() needs an argument`, this.peek().position);
      args.push(this.expr(depth + 1));
      while (this.peek().kind === 'comma') {
        this.next();
        args.push(this.expr(depth + 1));
      }
      this.expect('rparen', `')' to close the call of ${token.text} opened at position ${open.position}`);
      return { type: 'call', name: token.text, args, position: token.position };
    }
    if (token.kind === 'lparen') {
      this.guardDepth(depth, token);
      const inner = this.expr(depth + 1);
      this.expect('rparen', `')' to close the '(' at position ${token.position}`);
      return inner;
    }
    throw new ExpressionError(
      `expected a number, a name or '(' but found ${describe(token)}`,
      token.position,
    );
  }

  private operator(...symbols: string[]): Token | undefined {
    const token = this.peek();
    if (token.kind === 'operator' && symbols.includes(token.text)) return this.next();
    return undefined;
  }

  private expect(kind: Token['kind'], what: string): Token {
    const token = this.next();
    if (token.kind !== kind)
      throw new ExpressionError(`expected ${what} but found ${describe(token)}`, token.position);
    return token;
  }

  private guardDepth(depth: number, at: Token): void {
    if (depth >= MAX_DEPTH) throw new ExpressionError(`nested deeper than ${MAX_DEPTH} levels`, at.position);
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  private next(): Token {
    const token = this.tokens[this.index];
    if (token.kind !== 'end') this.index += 1;
    return token;
  }
}

function describe(token: Token): string {
  return token.kind === 'end' ? 'the end of the expression' : `'${token.text}'`;
}
