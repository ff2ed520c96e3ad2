import { ExpressionError } from './expression-error';

export type TokenKind = 'number' | 'name' | 'operator' | 'lparen' | 'rparen' | 'comma' | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** The source text of the token (an operator's symbol, a name, a number's digits). */
  readonly text: string;
  /** 0-based offset of the token's first character. */
  readonly position: number;
  /** Only for `number` tokens. */
  readonly value?: number;
}

// Longest first, so `**` wins over `*` and `//` over `/`.
const OPERATORS = ['**', '//', '+', '-', '*', '/', '%'] as const;

// Python's float literal: digits with an optional fraction and exponent, or a leading-dot fraction.
const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Splits an arithmetic expression into tokens; the last one is always `end`. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    const rest = source.slice(i);
    const number = NUMBER.exec(rest);
    if (number) {
      const text = number[0];
      if (NAME.test(source.slice(i + text.length))) {
        throw new ExpressionError(
          `malformed number '${text}${NAME.exec(source.slice(i + text.length))![0]}'`,
          i,
        );
      }
      tokens.push({ kind: 'number', text, position: i, value: Number(text) });
      i += text.length;
      continue;
    }
    const name = NAME.exec(rest);
    if (name) {
      tokens.push({ kind: 'name', text: name[0], position: i });
      i += name[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => rest.startsWith(o));
    if (op) {
      tokens.push({ kind: 'operator', text: op, position: i });
      i += op.length;
      continue;
    }
    const single: Partial<Record<string, TokenKind>> = { '(': 'lparen', ')': 'rparen', ',': 'comma' };
    const kind = single[ch];
    if (kind) {
      tokens.push({ kind, text: ch, position: i });
      i += 1;
      continue;
    }
    throw new ExpressionError(`unexpected character '${ch}'`, i);
  }
  tokens.push({ kind: 'end', text: '', position: source.length });
  return tokens;
}
