/** Options of renderLineChart; every field has a default. */
export interface LineChartOptions {
  /** Total width in characters, y labels included. Default 72. */
  width?: number;
  /** Plot rows. Default 14. */
  height?: number;
  /** A line printed above the chart. Default none. */
  title?: string;
  /** Formats y-axis labels. Default: 3 significant digits, exponent form below 1e-3. */
  format?: (value: number) => string;
}

/** 3 significant digits; exponent form where fixed notation would hide the digits (small LRs). */
export function formatValue(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs < 1e-3 || abs >= 1e5) return value.toExponential(2).replace(/\.?0+e/, 'e');
  return String(Number(value.toPrecision(3)));
}

/**
 * Draws a series (one value per step) as a plain-text line chart: y labels on the left, the step
 * number along the bottom. When there are more steps than columns, each column shows its bucket's
 * range; a vertical stroke joins a column to the previous one, so a step decay shows as a cliff.
 */
export function renderLineChart(values: readonly number[], options: LineChartOptions = {}): string {
  const { width = 72, height = 14, title, format = formatValue } = options;
  const lines: string[] = title ? [title] : [];
  if (values.length === 0) return [...lines, '(no steps to plot)'].join('\n');

  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) {
    // A flat line sits in the middle of a band around its value.
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const labels = Array.from({ length: height }, (_, r) =>
    r % 4 === 0 || r === height - 1 ? format(hi - ((hi - lo) * r) / (height - 1)) : '',
  );
  const labelWidth = Math.max(...labels.map((l) => l.length));
  const plotWidth = Math.max(8, width - labelWidth - 2);
  const rowOf = (v: number): number => Math.round(((hi - v) / (hi - lo)) * (height - 1));

  const grid = Array.from({ length: height }, () => new Array<string>(plotWidth).fill(' '));
  let previousRow: number | undefined;
  for (let c = 0; c < plotWidth; c++) {
    const start = Math.floor((c * values.length) / plotWidth);
    const end = Math.max(start + 1, Math.floor(((c + 1) * values.length) / plotWidth));
    const bucket = values.slice(start, end);
    const rows = bucket.map(rowOf);
    const last = rows[rows.length - 1];
    const top = Math.min(...rows, previousRow ?? last);
    const bottom = Math.max(...rows, previousRow ?? last);
    for (let r = top; r <= bottom; r++) if (r !== previousRow) grid[r][c] = '│';
    for (const r of rows) grid[r][c] = '•';
    previousRow = last;
  }

  grid.forEach((row, r) => lines.push(`${labels[r].padStart(labelWidth)} ┤${row.join('')}`));
  lines.push(`${' '.repeat(labelWidth)} └${'─'.repeat(plotWidth)}`);
  const first = '0';
  const lastStep = String(values.length - 1);
  const middle = String(Math.floor((values.length - 1) / 2));
  const axis = new Array<string>(plotWidth).fill(' ');
  const put = (text: string, at: number): void => {
    const from = Math.max(0, Math.min(plotWidth - text.length, at));
    for (let i = 0; i < text.length; i++) axis[from + i] = text[i];
  };
  put(first, 0);
  if (values.length > 2) put(middle, Math.round(plotWidth / 2) - Math.floor(middle.length / 2));
  if (values.length > 1) put(lastStep, plotWidth - lastStep.length);
  lines.push(`${' '.repeat(labelWidth + 2)}${axis.join('')}`);
  lines.push(`${' '.repeat(labelWidth + 2)}step`);
  return lines.join('\n');
}
