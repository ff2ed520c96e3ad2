import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv';

describe('parseCsv', () => {
  const table = 'a,b,label,c\n1,2,0,3\n4,5,1,6\n\n7,8,2,9\n';

  it('takes the label column by name and keeps the others as features, in order', () => {
    const parsed = parseCsv(table, { labelColumn: 'label' }, 'f');
    expect(parsed.rows).toBe(3);
    expect(parsed.featureCount).toBe(3);
    expect([...parsed.features]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...parsed.labels]).toEqual([0, 1, 2]);
  });

  it('takes the label column by index, or the last column by default', () => {
    expect([...parseCsv(table, { labelColumn: '2' }, 'f').labels]).toEqual([0, 1, 2]);
    expect([...parseCsv('x,y\n0.5,1\n1.5,0\r\n', {}, 'f').labels]).toEqual([1, 0]);
  });

  it('reads files without a header', () => {
    const parsed = parseCsv('1,2,1\n3,4,0\n', { hasHeader: false }, 'f');
    expect(parsed.rows).toBe(2);
    expect([...parsed.features]).toEqual([1, 2, 3, 4]);
  });

  it('names the field and line of bad input', () => {
    expect(() => parseCsv('a,y\n1,2\n3\n', {}, 'files.trainPath')).toThrow(
      /^files\.trainPath: CSV line 3: 1 columns, expected 2/,
    );
    expect(() => parseCsv('a,y\nx,1\n', {}, 'f')).toThrow(/line 2, column 1: "x" is not a finite number/);
    expect(() => parseCsv('a,y\n1,1.5\n', {}, 'f')).toThrow(/label "1.5" is not a non-negative integer/);
    expect(() => parseCsv('a,y\n1,-1\n', {}, 'f')).toThrow(/label "-1"/);
    expect(() => parseCsv('a,y\n1,2\n', { labelColumn: 'z' }, 'f')).toThrow(
      /^files\.labelColumn: column "z" is not in the header/,
    );
    expect(() => parseCsv('a,y\n1,2\n', { labelColumn: '5' }, 'f')).toThrow(
      /^files\.labelColumn: column index 5 is out of range/,
    );
    expect(() => parseCsv('', {}, 'f')).toThrow(/empty/);
    expect(() => parseCsv('a,y\n', {}, 'f')).toThrow(/no data rows/);
  });
});
