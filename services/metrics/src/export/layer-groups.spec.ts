import { describe, expect, it } from 'vitest';
import { groupLayers } from './layer-groups';

describe('groupLayers', () => {
  it('keeps one group per layer while there are few', () => {
    const norms = new Map([
      ['conv1', 3],
      ['dense', 4],
    ]);
    expect(groupLayers(['conv1', 'dense'], norms, 16)).toEqual([
      { label: '00:conv1', value: 3 },
      { label: '01:dense', value: 4 },
    ]);
  });

  it('combines consecutive layers into at most maxGroups L2 norms', () => {
    const layers = Array.from({ length: 150 }, (_, i) => `layer${i}`);
    const norms = new Map(layers.map((l) => [l, 1]));
    const groups = groupLayers(layers, norms, 16);
    expect(groups).toHaveLength(16);
    expect(groups[0].label).toBe('00:layer0..layer8');
    expect(groups.at(-1)!.label).toBe('15:layer140..layer149');
    // The norm of the concatenation: sqrt(sum of squares) over every layer, whatever the grouping.
    const total = Math.sqrt(groups.reduce((sum, g) => sum + g.value ** 2, 0));
    expect(total).toBeCloseTo(Math.sqrt(150), 10);
    // Labels sort in model order.
    expect(groups.map((g) => g.label)).toEqual([...groups.map((g) => g.label)].sort());
  });

  it('skips layers without a value', () => {
    expect(groupLayers(['a', 'b'], new Map([['b', 2]]), 4)).toEqual([{ label: '00:b', value: 2 }]);
  });
});
