import { globMatch } from '../glob';

/**
 * Selects variables by name. A string is a glob over the whole name (`*` any run of characters,
 * `?` one character; tfjs names look like `dense_1/kernel`), a RegExp is tested as is.
 */
export type NamePattern = string | RegExp;

/** One pattern or several (a name matches if any of them does). */
export type NamePatterns = NamePattern | readonly NamePattern[];

export function toPatternList(patterns: NamePatterns | undefined): readonly NamePattern[] {
  if (patterns === undefined) return [];
  return typeof patterns === 'string' || patterns instanceof RegExp ? [patterns] : patterns;
}

export function matchesPattern(name: string, pattern: NamePattern): boolean {
  if (pattern instanceof RegExp) {
    // A global or sticky RegExp keeps lastIndex between calls; reset so every name is tested whole.
    pattern.lastIndex = 0;
    return pattern.test(name);
  }
  return globMatch(pattern, name);
}
