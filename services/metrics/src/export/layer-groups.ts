/** One exported layer group: its label value and its gradient norm. */
export interface LayerGroup {
  /** `03:conv2` for one layer, `03:conv2..conv4` for consecutive layers (sorts in model order). */
  readonly label: string;
  readonly value: number;
}

/**
 * Combines per-layer gradient norms into at most `maxGroups` groups of consecutive layers (in the
 * order the run first reported them, which is the model's order), so a ResNet-152 exports as many
 * series as a small CNN. A group's norm is the L2 norm of its layers' norms, which is exactly the
 * norm of the group's concatenated gradient. Layers are split as evenly as possible.
 */
export function groupLayers(
  layers: readonly string[],
  norms: ReadonlyMap<string, number>,
  maxGroups: number,
): LayerGroup[] {
  const present = layers.filter((l) => norms.has(l));
  const groups = Math.min(maxGroups, present.length);
  const width = String(Math.max(groups - 1, 0)).length;
  const out: LayerGroup[] = [];
  for (let g = 0; g < groups; g++) {
    const from = Math.floor((g * present.length) / groups);
    const to = Math.floor(((g + 1) * present.length) / groups);
    const members = present.slice(from, to);
    let sumOfSquares = 0;
    for (const layer of members) sumOfSquares += norms.get(layer)! ** 2;
    const name = members.length === 1 ? members[0] : `${members[0]}..${members[members.length - 1]}`;
    out.push({
      label: `${String(g).padStart(Math.max(width, 2), '0')}:${name}`,
      value: Math.sqrt(sumOfSquares),
    });
  }
  return out;
}
