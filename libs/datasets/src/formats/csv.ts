import { ValidationError } from '@athanor/training-core';

export interface CsvOptions {
  /** Name (needs a header) or zero-based index of the label column. Default: the last column. */
  readonly labelColumn?: string;
  /** The first row is a header. Default true. */
  readonly hasHeader?: boolean;
}

export interface CsvTable {
  /** rows * featureCount values, the label column removed. */
  readonly features: Float32Array;
  readonly labels: Int32Array;
  readonly rows: number;
  readonly featureCount: number;
}

function splitLine(line: string): string[] {
  // Plain numeric CSV: no embedded commas, so a split is enough; surrounding quotes are tolerated.
  return line.split(',').map((cell) => cell.trim().replace(/^"(.*)"$/, '$1'));
}

/**
 * Parses a numeric CSV table: one example per row, numeric features plus one integer label column.
 * Blank lines are ignored. Every row must have the header's (or the first row's) column count.
 *
 * @param field the option naming the file, for error messages.
 */
export function parseCsv(text: string, options: CsvOptions, field: string): CsvTable {
  const fail = (description: string, sub = field): never => {
    throw new ValidationError({ field: sub, description });
  };
  const lines = text.split(/\r?\n/);
  const hasHeader = options.hasHeader ?? true;
  let lineIndex = 0;
  const nextNonBlank = (): number => {
    while (lineIndex < lines.length && lines[lineIndex].trim() === '') lineIndex++;
    return lineIndex;
  };
  let header: string[] | null = null;
  if (hasHeader) {
    if (nextNonBlank() >= lines.length) fail('CSV: the file is empty (no header row)');
    header = splitLine(lines[lineIndex++]);
  }
  const firstData = nextNonBlank();
  const columns = header?.length ?? (firstData < lines.length ? splitLine(lines[firstData]).length : 0);
  if (columns < 2) fail(`CSV: needs at least two columns (features and a label), found ${columns}`);

  const labelField = 'files.labelColumn';
  let labelIndex = columns - 1;
  const spec = options.labelColumn?.trim() ?? '';
  if (spec !== '') {
    const byName = header?.indexOf(spec) ?? -1;
    if (byName >= 0) labelIndex = byName;
    else if (/^\d+$/.test(spec)) labelIndex = Number(spec);
    else
      fail(
        `column "${spec}" is not in the header${header ? ` (${header.join(', ')})` : ' (the file has no header)'}`,
        labelField,
      );
    if (labelIndex >= columns)
      fail(`column index ${labelIndex} is out of range (the file has ${columns} columns)`, labelField);
  }

  const featureCount = columns - 1;
  const features: number[] = [];
  const labels: number[] = [];
  for (; lineIndex < lines.length; lineIndex++) {
    const line = lines[lineIndex];
    if (line.trim() === '') continue;
    const cells = splitLine(line);
    const where = `CSV line ${lineIndex + 1}`;
    if (cells.length !== columns) fail(`${where}: ${cells.length} columns, expected ${columns}`);
    for (let c = 0; c < columns; c++) {
      const value = cells[c] === '' ? NaN : Number(cells[c]);
      if (c === labelIndex) {
        if (!Number.isInteger(value) || value < 0) {
          fail(`${where}: label "${cells[c]}" is not a non-negative integer class index`);
        }
        labels.push(value);
      } else {
        if (!Number.isFinite(value)) fail(`${where}, column ${c + 1}: "${cells[c]}" is not a finite number`);
        features.push(value);
      }
    }
  }
  if (labels.length === 0) fail('CSV: no data rows');
  return {
    features: Float32Array.from(features),
    labels: Int32Array.from(labels),
    rows: labels.length,
    featureCount,
  };
}
