import type { modelbuilder } from '@athanor/contracts';
import { weightPlan } from './layer-plans';
import { checkInt, type PlanContext, type Sym } from './plan-context';

/** Token ids [T] -> [T, dim]. Returns undefined (and reports) when the spec is unusable. */
export function planEmbedding(
  ctx: PlanContext,
  x: Sym,
  spec: modelbuilder.EmbeddingSpec,
  dim: number,
  field: string,
): Sym | undefined {
  const okVocab = checkInt(ctx, `${field}.vocabSize`, spec.vocabSize, 1);
  if (spec.vocabSize === 0) ctx.error(`${field}.vocabSize`, 'is required (> 0)');
  if (spec.paddingId !== undefined) {
    if (!Number.isInteger(spec.paddingId) || spec.paddingId < 0 || spec.paddingId >= spec.vocabSize) {
      ctx.error(`${field}.paddingId`, `must be a token id in [0, ${spec.vocabSize}), got ${spec.paddingId}`);
    } else {
      ctx.warn(
        `${field}.paddingId`,
        'padding positions are not masked yet: they take part in attention and pooling',
      );
    }
  }
  if (!okVocab || spec.vocabSize === 0 || dim < 1) return undefined;
  if (x.shape.length !== 1) {
    ctx.error('spec.inputShape', `token ids are [T], got [${x.shape.join(', ')}]`);
    return undefined;
  }
  return ctx.add(
    'embedding',
    'Embedding',
    { inputDim: spec.vocabSize, outputDim: dim },
    x,
    [x.shape[0], dim],
    [weightPlan('embeddings', [spec.vocabSize, dim])],
  );
}
