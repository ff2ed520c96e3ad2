import type { modelbuilder } from '@athanor/contracts';
import { globMatch, Rng } from '@athanor/training-core';
import type { ValidationIssue } from '../plan';
import { drawInitializer } from './draw-initializer';

const KERNEL_SLOTS = ['conv', 'dense', 'recurrent', 'recurrentState', 'embedding'] as const;
const VECTOR_SLOTS = ['norm', 'bias'] as const;

/**
 * Problems of an InitSpec, with field paths under `field` (e.g. `init.conv.truncatedNormal.std`):
 * each initializer is tried on a small shape, so every parameter check of training-core applies;
 * fan-based initializers on biases or norm scales (rank 1) are refused. `layerNames`, when given,
 * turns patterns that match no layer into warnings.
 */
export function validateInitSpec(
  init: modelbuilder.InitSpec | undefined,
  field = 'init',
  layerNames?: readonly string[],
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (!init) return issues;
  const tryDraw = (initializer: modelbuilder.Initializer | undefined, path: string, shape: number[]) => {
    if (!initializer?.kind) return;
    const at = `${path}.${initializer.kind.$case}`;
    try {
      drawInitializer(initializer, {
        shape,
        fans: { layout: 'dense' },
        rng: new Rng(0),
        pytorchDefault: () => ({ values: new Float32Array(0), shape }),
      });
    } catch (err) {
      const violations = (err as { violations?: { field: string; description: string }[] }).violations;
      if (violations) {
        for (const v of violations) {
          const description =
            v.field === 'shape' && shape.length === 1 ? 'needs a kernel (fans), not a vector' : v.description;
          issues.push({
            field: v.field === 'shape' ? at : `${at}.${v.field}`,
            description,
            severity: 'error',
          });
        }
      } else {
        issues.push({ field: at, description: (err as Error).message, severity: 'error' });
      }
    }
  };
  for (const slot of KERNEL_SLOTS) tryDraw(init[slot], `${field}.${slot}`, [4, 8]);
  for (const slot of VECTOR_SLOTS) tryDraw(init[slot], `${field}.${slot}`, [8]);
  init.overrides.forEach((o, i) => {
    const at = `${field}.overrides[${i}]`;
    if (!o.layerPattern)
      issues.push({ field: `${at}.layerPattern`, description: 'is required', severity: 'error' });
    else if (layerNames && !layerNames.some((n) => globMatch(o.layerPattern, n))) {
      issues.push({
        field: `${at}.layerPattern`,
        description: `"${o.layerPattern}" matches no layer`,
        severity: 'warning',
      });
    }
    tryDraw(o.weight, `${at}.weight`, [4, 8]);
    tryDraw(o.bias, `${at}.bias`, [8]);
  });
  if (init.seed !== undefined && (!Number.isSafeInteger(init.seed) || init.seed < 0)) {
    issues.push({
      field: `${field}.seed`,
      description: `must be a non-negative integer below 2^53, got ${init.seed}`,
      severity: 'error',
    });
  }
  const p = init.pretrained;
  if (p) {
    if (!p.artifactUri)
      issues.push({
        field: `${field}.pretrained.artifactUri`,
        description: 'is required',
        severity: 'error',
      });
    else if (!/^(file:\/\/|https?:\/\/|\/|\.{0,2}[^:]*$)/.test(p.artifactUri)) {
      issues.push({
        field: `${field}.pretrained.artifactUri`,
        description: 'must be a file:// or http(s):// URL or a path',
        severity: 'error',
      });
    }
    for (const [name, list] of [
      ['frozenLayers', p.frozenLayers],
      ['excludeLayers', p.excludeLayers],
    ] as const) {
      list.forEach((pattern, i) => {
        if (!pattern)
          issues.push({
            field: `${field}.pretrained.${name}[${i}]`,
            description: 'must not be empty',
            severity: 'error',
          });
        else if (layerNames && !layerNames.some((n) => globMatch(pattern, n))) {
          issues.push({
            field: `${field}.pretrained.${name}[${i}]`,
            description: `"${pattern}" matches no layer`,
            severity: 'error',
          });
        }
      });
    }
  }
  return issues;
}
