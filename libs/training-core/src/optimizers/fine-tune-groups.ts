import type * as tf from '@tensorflow/tfjs-core';
import { check } from '../errors';
import { matchesPattern, toPatternList, type NamePatterns } from './name-pattern';
import type { ParamGroupSpec } from './param-group';

export interface FineTuneOptions {
  /** Pretrained layers, trained with `baseLr`. Default: every variable not in `head` or `frozen`. */
  readonly pretrained?: NamePatterns;
  /** The new layers (e.g. the classifier), trained with the larger LR. Required. */
  readonly head: NamePatterns;
  /** Layers left out of the optimizer entirely. Default: none. */
  readonly frozen?: NamePatterns;
  /** LR of the pretrained layers. */
  readonly baseLr: number;
  /** LR of the head; overrides `headMultiplier`. */
  readonly headLr?: number;
  /** Head LR as a multiple of `baseLr` when `headLr` is not given; default 10. */
  readonly headMultiplier?: number;
  /** Weight decay of both groups; default: the optimizer's. */
  readonly weightDecay?: number;
}

export interface FineTunePlan {
  /** `[pretrained, head]` (pretrained omitted when empty), ready for any optimizer's constructor. */
  readonly groups: ParamGroupSpec[];
  /** Variables in no group; PyTorch's equivalent is `requires_grad = False`. */
  readonly frozen: tf.Variable[];
}

/**
 * The fine-tuning rule of thumb in one call: a small LR for pretrained layers, a larger one for the
 * new head, frozen layers excluded. Precedence when a name matches several lists: frozen, then
 * head, then pretrained. Every pattern given must match some variable (a typo fails loudly), and
 * with explicit `pretrained` patterns every variable must land somewhere.
 */
export function fineTuneGroups(variables: readonly tf.Variable[], options: FineTuneOptions): FineTunePlan {
  const { baseLr } = options;
  check(Number.isFinite(baseLr) && baseLr >= 0, 'fineTune.baseLr', `must be finite and >= 0, got ${baseLr}`);
  const multiplier = options.headMultiplier ?? 10;
  check(
    Number.isFinite(multiplier) && multiplier > 0,
    'fineTune.headMultiplier',
    `must be finite and > 0, got ${multiplier}`,
  );
  const headLr = options.headLr ?? baseLr * multiplier;
  check(Number.isFinite(headLr) && headLr >= 0, 'fineTune.headLr', `must be finite and >= 0, got ${headLr}`);
  if (options.weightDecay !== undefined) {
    check(
      Number.isFinite(options.weightDecay) && options.weightDecay >= 0,
      'fineTune.weightDecay',
      'must be finite and >= 0',
    );
  }

  const lists = {
    frozen: toPatternList(options.frozen),
    head: toPatternList(options.head),
    pretrained: toPatternList(options.pretrained),
  };
  check(lists.head.length > 0, 'fineTune.head', 'needs at least one pattern');
  for (const [key, patterns] of Object.entries(lists)) {
    patterns.forEach((p, i) => {
      check(
        variables.some((v) => matchesPattern(v.name, p)),
        `fineTune.${key}[${i}]`,
        `pattern ${String(p)} matches no variable`,
      );
    });
  }

  const matches = (v: tf.Variable, patterns: readonly (string | RegExp)[]) =>
    patterns.some((p) => matchesPattern(v.name, p));
  const frozen: tf.Variable[] = [];
  const head: tf.Variable[] = [];
  const pretrained: tf.Variable[] = [];
  for (const v of variables) {
    if (matches(v, lists.frozen)) frozen.push(v);
    else if (matches(v, lists.head)) head.push(v);
    else if (lists.pretrained.length === 0 || matches(v, lists.pretrained)) pretrained.push(v);
    else
      check(
        false,
        'fineTune.pretrained',
        `variable "${v.name}" matches no pretrained, head or frozen pattern`,
      );
  }

  const decay = options.weightDecay === undefined ? {} : { weightDecay: options.weightDecay };
  const groups: ParamGroupSpec[] = [];
  if (pretrained.length > 0) groups.push({ name: 'pretrained', variables: pretrained, lr: baseLr, ...decay });
  groups.push({ name: 'head', variables: head, lr: headLr, ...decay });
  return { groups, frozen };
}
