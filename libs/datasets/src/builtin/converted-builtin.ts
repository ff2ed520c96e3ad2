import { exampleSizeOf, type ExampleSet } from '../example-set';
import type { CacheSection } from './binary-cache';

/** A built-in dataset after conversion: its predefined split, images as uint8. */
export interface ConvertedBuiltin {
  readonly train: ExampleSet;
  readonly validation: ExampleSet;
  /** Rows in the source that held no example (e.g. fashion-mnist's two empty rows). */
  readonly skippedRows: number;
}

/** The cache sections of a converted dataset (uint8 images and uint8 labels, both splits). */
export function toSections(data: ConvertedBuiltin): CacheSection[] {
  const skipped = new Uint8Array(4);
  new DataView(skipped.buffer).setUint32(0, data.skippedRows, true);
  const sections: CacheSection[] = [{ name: 'skippedRows', data: skipped }];
  for (const [name, set] of [
    ['train', data.train],
    ['validation', data.validation],
  ] as const) {
    sections.push({ name: `${name}.images`, data: set.features as Uint8Array });
    sections.push({ name: `${name}.labels`, data: Uint8Array.from(set.labels) });
  }
  return sections;
}

/** The inverse of toSections; null when a section is missing or the sizes disagree. */
export function fromSections(
  sections: Map<string, Uint8Array>,
  exampleShape: readonly number[],
): ConvertedBuiltin | null {
  const skipped = sections.get('skippedRows');
  if (!skipped || skipped.length !== 4) return null;
  const skippedRows = new DataView(skipped.buffer, skipped.byteOffset, 4).getUint32(0, true);
  const d = exampleSizeOf(exampleShape);
  const split = (name: string): ExampleSet | null => {
    const images = sections.get(`${name}.images`);
    const labels = sections.get(`${name}.labels`);
    if (!images || !labels || images.length !== labels.length * d) return null;
    return { features: images, labels: Int32Array.from(labels), exampleShape, size: labels.length };
  };
  const train = split('train');
  const validation = split('validation');
  return train && validation ? { train, validation, skippedRows } : null;
}
