import { describe, expect, it } from 'vitest';
import { globMatch } from './glob';

describe('globMatch', () => {
  it.each([
    ['*', '', true],
    ['*', 'anything', true],
    ['dense_1/kernel', 'dense_1/kernel', true],
    ['dense_1/kernel', 'dense_1/kernel2', false],
    ['dense_*/kernel', 'dense_12/kernel', true],
    ['dense_?/kernel', 'dense_12/kernel', false],
    ['stage0_*_conv?', 'stage0_block1_conv0', true],
    ['*conv*', 'stage0_block1_conv0', true],
    ['*.bias', 'dense.bias', true],
    ['a.c', 'abc', false], // `.` is literal, not a RegExp wildcard
    ['(x)', '(x)', true],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXbYY', false],
    ['**', 'x', true],
  ])('%s against %s is %s', (pattern, name, expected) => {
    expect(globMatch(pattern, name)).toBe(expected);
  });

  it('stays fast on patterns that make a RegExp backtrack or overflow', () => {
    const started = Date.now();
    expect(globMatch('*a'.repeat(30) + 'b', 'a'.repeat(5000))).toBe(false);
    expect(globMatch('A'.repeat(4_000_000), 'A'.repeat(10))).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
