import { describe, expect, it } from 'vitest';
import { formatValue, renderLineChart } from './terminal-chart';

describe('formatValue', () => {
  it.each([
    [0, '0'],
    [0.1, '0.1'],
    [0.012345, '0.0123'],
    [0.00004, '4e-5'],
    [3.0517578125e-5, '3.05e-5'],
    [2, '2'],
  ])('%d -> %s', (value, text) => expect(formatValue(value)).toBe(text));
});

describe('renderLineChart', () => {
  it('puts the maximum on the top row and the minimum on the bottom row, with step ticks', () => {
    const chart = renderLineChart([1, 1, 0.5, 0.5, 0.25, 0.25], { width: 30, height: 5 });
    const lines = chart.split('\n');
    expect(lines).toHaveLength(5 + 3);
    expect(lines[0]).toMatch(/^ {3}1 ┤•+/);
    expect(lines[4]).toMatch(/^0\.25 ┤ +•+$/);
    expect(lines[5]).toMatch(/^ +└─+$/);
    expect(lines[6].trim().split(/\s+/)).toEqual(['0', '2', '5']);
    // A drop is a vertical stroke, not a gap.
    expect(chart).toContain('│');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(30);
  });

  it('handles flat series and empty input', () => {
    expect(renderLineChart([0.1, 0.1, 0.1], { height: 3 }).split('\n')[1]).toMatch(/┤•+$/);
    expect(renderLineChart([], { title: 't' })).toBe('t\n(no steps to plot)');
  });

  it('shows warm-up as a rise before the decay', () => {
    const values = Array.from({ length: 50 }, (_, i) => (i < 10 ? (i + 1) / 10 : 1 - (i - 10) / 40));
    const rows = renderLineChart(values, { width: 60, height: 10 }).split('\n').slice(0, 10);
    const columnOfTop = rows[0].indexOf('•');
    expect(columnOfTop).toBeGreaterThan(rows[0].indexOf('┤') + 5);
    // The warm-up starts low (row 8 of 10) left of the peak; the decay ends on the bottom row to its right.
    expect(rows[8].indexOf('•')).toBeLessThan(columnOfTop);
    expect(rows[9].indexOf('•')).toBeGreaterThan(columnOfTop);
  });
});
