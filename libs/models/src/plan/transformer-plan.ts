import { modelbuilder } from '@athanor/contracts';
import { planEmbedding } from './embedding-plan';
import { planHead } from './head-plan';
import { activation, checkActivation, dense, dropout, norm, weightPlan } from './layer-plans';
import { checkInt, checkPositive, checkRate, MAX_REPEATS, type PlanContext, type Sym } from './plan-context';

const { Activation, NormKind, NormPlacement, PositionalEncoding, SequencePooling } = modelbuilder;

/**
 * Transformer encoder: input projection or embedding -> positions -> dropout -> layers x (self-attention
 * + feed-forward, each residual with LayerNorm, pre or post) -> [final LayerNorm] -> pooling -> head.
 */
export function planTransformer(
  ctx: PlanContext,
  x: Sym,
  t: modelbuilder.TransformerSpec,
  numClasses: number,
  field: string,
): Sym {
  const okLayers = checkInt(ctx, `${field}.numLayers`, t.numLayers, 1, 'an integer', MAX_REPEATS);
  const okModel = checkInt(ctx, `${field}.dModel`, t.dModel, 1);
  const okHeads = checkInt(ctx, `${field}.numHeads`, t.numHeads, 1);
  if (t.numLayers === 0) ctx.error(`${field}.numLayers`, 'is required (> 0)');
  if (t.dModel === 0) ctx.error(`${field}.dModel`, 'is required (> 0)');
  if (t.numHeads === 0) ctx.error(`${field}.numHeads`, 'is required (> 0)');
  if (okModel && okHeads && t.numHeads > 0 && t.dModel % t.numHeads !== 0) {
    ctx.error(`${field}.numHeads`, `d_model ${t.dModel} does not divide into ${t.numHeads} heads`);
  }
  checkInt(ctx, `${field}.ffDim`, t.ffDim, 0);
  checkInt(ctx, `${field}.maxLength`, t.maxLength, 0);
  checkActivation(ctx, `${field}.ffActivation`, t.ffActivation);
  const rate = t.dropout ?? 0.1;
  checkRate(ctx, `${field}.dropout`, rate);
  const attentionRate = t.attentionDropout ?? rate;
  checkRate(ctx, `${field}.attentionDropout`, attentionRate);
  const eps = t.layerNormEps ?? 1e-5;
  checkPositive(ctx, `${field}.layerNormEps`, eps);
  if (
    !Object.values(NormPlacement).includes(t.normPlacement) ||
    t.normPlacement === NormPlacement.UNRECOGNIZED
  ) {
    ctx.error(`${field}.normPlacement`, `unknown placement ${String(t.normPlacement)}`);
  }
  const pooling =
    t.pooling === SequencePooling.SEQUENCE_POOLING_UNSPECIFIED
      ? SequencePooling.SEQUENCE_POOLING_MEAN
      : t.pooling;
  if (!Object.values(SequencePooling).includes(pooling) || pooling === SequencePooling.UNRECOGNIZED) {
    ctx.error(`${field}.pooling`, `unknown pooling ${String(t.pooling)}`);
  }
  const positions =
    t.positionalEncoding === PositionalEncoding.POSITIONAL_ENCODING_UNSPECIFIED
      ? PositionalEncoding.POSITIONAL_ENCODING_LEARNED
      : t.positionalEncoding;
  if (
    !Object.values(PositionalEncoding).includes(positions) ||
    positions === PositionalEncoding.UNRECOGNIZED
  ) {
    ctx.error(`${field}.positionalEncoding`, `unknown encoding ${String(t.positionalEncoding)}`);
  }
  const d = t.dModel;
  const sizesOk = okLayers && okModel && okHeads && d > 0 && t.numHeads > 0 && t.numLayers > 0;

  // Input: ids through an embedding, or features through a projection.
  if (!t.input) {
    ctx.error(`${field}.input`, 'one of inputProjection or embedding is required');
    return x;
  }
  if (t.input.$case === 'embedding') {
    const e = t.input.value;
    if (e.dim !== 0 && e.dim !== d)
      ctx.error(`${field}.embedding.dim`, `must equal d_model ${d} (or be 0), got ${e.dim}`);
    if (!sizesOk) return x;
    const embedded = planEmbedding(ctx, x, e, d, `${field}.embedding`);
    if (!embedded) return x;
    x = embedded;
  } else {
    if (x.shape.length !== 2) {
      ctx.error('spec.inputShape', `an input projection takes [T, F] features, got [${x.shape.join(', ')}]`);
      return x;
    }
    if (!sizesOk) return x;
    x = dense(ctx, 'input_proj', x, d, t.input.value.bias ?? true);
  }
  const steps = x.shape[0];
  const maxLength = t.maxLength || steps;
  if (maxLength < steps)
    ctx.error(`${field}.maxLength`, `${maxLength} is shorter than the ${steps} input steps`);
  if (positions === PositionalEncoding.POSITIONAL_ENCODING_LEARNED) {
    x = ctx.add('positions', 'AthanorPositionEmbedding', { mode: 'learned', maxLength }, x, x.shape, [
      weightPlan('embeddings', [maxLength, d]),
    ]);
  } else if (positions === PositionalEncoding.POSITIONAL_ENCODING_SINUSOIDAL) {
    x = ctx.add('positions', 'AthanorPositionEmbedding', { mode: 'sinusoidal', maxLength }, x, x.shape);
  }
  x = dropout(ctx, 'embed_drop', x, rate);
  if (pooling === SequencePooling.SEQUENCE_POOLING_CLS) {
    x = ctx.add('cls_token', 'ClassToken', {}, x, [x.shape[0] + 1, d], [weightPlan('token', [d])]);
  }

  const pre = t.normPlacement !== NormPlacement.NORM_PLACEMENT_POST;
  const ff = t.ffDim || 4 * d;
  const ln = (name: string, s: Sym) =>
    norm(ctx, name, s, NormKind.NORM_KIND_LAYER, NormKind.NORM_KIND_LAYER, field, 32, eps);
  for (let i = 0; i < t.numLayers; i++) {
    const p = `enc${i}`;
    // Self-attention sub-layer.
    let h = pre ? ln(`${p}_attn_norm`, x) : x;
    h = ctx.add(
      `${p}_attn`,
      'MultiHeadSelfAttention',
      { numHeads: t.numHeads, dropout: attentionRate },
      h,
      h.shape,
      [
        weightPlan('in_kernel', [d, 3 * d]),
        weightPlan('in_bias', [3 * d]),
        weightPlan('out_kernel', [d, d]),
        weightPlan('out_bias', [d]),
      ],
    );
    h = dropout(ctx, `${p}_attn_drop`, h, rate);
    x = ctx.add(`${p}_attn_add`, 'Add', {}, [x, h], x.shape);
    if (!pre) x = ln(`${p}_attn_norm`, x);
    // Feed-forward sub-layer.
    h = pre ? ln(`${p}_ff_norm`, x) : x;
    h = dense(ctx, `${p}_ff1`, h, ff);
    h = activation(
      ctx,
      `${p}_ff_act`,
      h,
      t.ffActivation,
      Activation.ACTIVATION_GELU,
      `${field}.ffActivation`,
    );
    h = dropout(ctx, `${p}_ff_inner_drop`, h, rate);
    h = dense(ctx, `${p}_ff2`, h, d);
    h = dropout(ctx, `${p}_ff_drop`, h, rate);
    x = ctx.add(`${p}_ff_add`, 'Add', {}, [x, h], x.shape);
    if (!pre) x = ln(`${p}_ff_norm`, x);
  }
  if (t.finalNorm ?? pre) x = ln('final_norm', x);

  if (pooling === SequencePooling.SEQUENCE_POOLING_MEAN)
    x = ctx.add('pool', 'GlobalAveragePooling1D', {}, x, [d]);
  else if (pooling === SequencePooling.SEQUENCE_POOLING_MAX)
    x = ctx.add('pool', 'GlobalMaxPooling1D', {}, x, [d]);
  else if (pooling === SequencePooling.SEQUENCE_POOLING_CLS)
    x = ctx.add('pool', 'SequenceStep', { index: 0 }, x, [d]);
  else if (pooling === SequencePooling.SEQUENCE_POOLING_LAST)
    x = ctx.add('pool', 'SequenceStep', { index: -1 }, x, [d]);
  return planHead(ctx, x, t.head, numClasses, `${field}.head`);
}
