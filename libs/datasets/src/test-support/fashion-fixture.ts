import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** Pixel value that encodes (class, image) so a test can tell where an image came from. */
export function fixturePixel(label: number, image: number, pixel: number): number {
  return (label * 20 + image + pixel) % 256;
}

/**
 * Writes src/clothes/<class>.json files in the fashion-mnist package's format: `{"data": [[784
 * ints], ...]}`, `test + train` images per class, and in class 0 the two empty rows the real
 * package has (after the test images and at the end).
 */
export function writeFashionFixture(
  dir: string,
  test: number,
  train: number,
  emptyRowsInClass0 = true,
): void {
  const clothes = path.join(dir, 'src', 'clothes');
  mkdirSync(clothes, { recursive: true });
  for (let label = 0; label < 10; label++) {
    const rows: number[][] = [];
    for (let image = 0; image < test + train; image++) {
      if (label === 0 && emptyRowsInClass0 && image === test) rows.push([]);
      rows.push(Array.from({ length: 784 }, (_, p) => fixturePixel(label, image, p)));
    }
    if (label === 0 && emptyRowsInClass0) rows.push([]);
    writeFileSync(path.join(clothes, `${label}.json`), JSON.stringify({ data: rows }));
  }
}
