import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** Writes src/digits/<class>.json in the mnist package's format: one flat array, 784 values in [0, 1] a digit. */
export function writeMnistFixture(dir: string, perClass: number): void {
  const digits = path.join(dir, 'src', 'digits');
  mkdirSync(digits, { recursive: true });
  for (let label = 0; label < 10; label++) {
    const data = Array.from(
      { length: perClass * 784 },
      (_, i) => Math.round((((label * 31 + i) % 256) / 255) * 1000) / 1000,
    );
    writeFileSync(path.join(digits, `${label}.json`), JSON.stringify({ data }));
  }
}
