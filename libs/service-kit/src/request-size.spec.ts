import { describe, expect, it } from 'vitest';
import { MAX_DEPTH, oversizedFields } from './request-size';

describe('oversizedFields', () => {
  it('accepts ordinary requests', () => {
    expect(oversizedFields({ config: { batchSize: 64, labels: { a: 'b' }, milestones: [1, 2] } })).toEqual(
      [],
    );
  });

  it('names long lists and maps by their JSON path, through oneofs', () => {
    const request = {
      spec: { architecture: { $case: 'mlp', value: { widths: new Array(10_001).fill(8) } } },
      config: { labels: Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`k${i}`, 'v'])) },
      weights: new Uint8Array(1_000_000), // bytes are not a list
    };
    expect(oversizedFields(request)).toEqual([
      { field: 'spec.mlp.widths', description: 'at most 10000 entries, got 10001' },
      { field: 'config.labels', description: 'at most 10000 entries, got 10001' },
    ]);
  });

  it('refuses nesting deeper than the limit (recursive messages such as sequential schedulers)', () => {
    let nested: unknown = { gamma: 0.1 };
    for (let i = 0; i < MAX_DEPTH + 5; i++) nested = { schedulers: [nested] };
    const [violation] = oversizedFields({ scheduler: nested });
    expect(violation.description).toBe(`nested deeper than ${MAX_DEPTH} levels`);
  });
});
