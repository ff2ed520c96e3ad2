import { modelbuilder } from '@athanor/contracts';
import { planEmbedding } from './embedding-plan';
import { planHead } from './head-plan';
import { dropout, norm, recurrentWeights } from './layer-plans';
import { checkInt, checkRate, MAX_REPEATS, type PlanContext, type Sym } from './plan-context';

const { NormKind, RnnCell, SequencePooling } = modelbuilder;

/** RNN: [embedding] -> layers x (LSTM/GRU -> [LayerNorm] -> dropout) -> pooling -> head. */
export function planRnn(
  ctx: PlanContext,
  x: Sym,
  rnn: modelbuilder.RnnSpec,
  numClasses: number,
  field: string,
): Sym {
  if (rnn.units === 0) ctx.error(`${field}.units`, 'is required (> 0)');
  const okUnits = checkInt(ctx, `${field}.units`, rnn.units, 1);
  const okLayers = checkInt(ctx, `${field}.numLayers`, rnn.numLayers, 1, 'an integer', MAX_REPEATS);
  checkRate(ctx, `${field}.dropout`, rnn.dropout);
  checkRate(ctx, `${field}.recurrentDropout`, rnn.recurrentDropout);
  if (
    rnn.cell !== RnnCell.RNN_CELL_UNSPECIFIED &&
    rnn.cell !== RnnCell.RNN_CELL_LSTM &&
    rnn.cell !== RnnCell.RNN_CELL_GRU
  ) {
    ctx.error(`${field}.cell`, `unknown cell ${String(rnn.cell)}`);
  }
  const pooling =
    rnn.pooling === SequencePooling.SEQUENCE_POOLING_UNSPECIFIED
      ? SequencePooling.SEQUENCE_POOLING_LAST
      : rnn.pooling;
  if (pooling === SequencePooling.SEQUENCE_POOLING_CLS)
    ctx.error(`${field}.pooling`, 'CLS pooling is for Transformers; use LAST, MEAN or MAX');
  else if (
    ![
      SequencePooling.SEQUENCE_POOLING_LAST,
      SequencePooling.SEQUENCE_POOLING_MEAN,
      SequencePooling.SEQUENCE_POOLING_MAX,
    ].includes(pooling)
  ) {
    ctx.error(`${field}.pooling`, `unknown pooling ${String(rnn.pooling)}`);
  }
  if (rnn.embedding) {
    if (rnn.embedding.dim === 0) ctx.error(`${field}.embedding.dim`, 'is required (> 0) for an RNN');
    checkInt(ctx, `${field}.embedding.dim`, rnn.embedding.dim, 1);
    const e = planEmbedding(ctx, x, rnn.embedding, rnn.embedding.dim, `${field}.embedding`);
    if (!e) return x;
    x = e;
  } else if (x.shape.length !== 2) {
    ctx.error(
      'spec.inputShape',
      `an RNN takes [T, F] features (or [T] token ids with an embedding), got [${x.shape.join(', ')}]`,
    );
    return x;
  }
  if (!okUnits || !okLayers || rnn.units === 0) return x;
  const layers = rnn.numLayers ?? 1;
  const cell = rnn.cell === RnnCell.RNN_CELL_GRU ? 'GRU' : 'LSTM';
  const gates = cell === 'GRU' ? 3 : 4;
  const steps = x.shape[0];
  for (let i = 0; i < layers; i++) {
    const lastStepOnly = i === layers - 1 && pooling === SequencePooling.SEQUENCE_POOLING_LAST;
    const width = rnn.bidirectional ? 2 * rnn.units : rnn.units;
    const args = {
      units: rnn.units,
      returnSequences: !lastStepOnly,
      // PyTorch's gates use the logistic sigmoid; tfjs defaults to the hard sigmoid.
      recurrentActivation: 'sigmoid',
      recurrentDropout: rnn.recurrentDropout,
    };
    const inUnits = x.shape[x.shape.length - 1];
    const shape = lastStepOnly ? [width] : [steps, width];
    x = rnn.bidirectional
      ? ctx.add(
          `rnn${i}`,
          'Bidirectional',
          { layer: { className: cell, args }, mergeMode: 'concat' },
          x,
          shape,
          [
            ...recurrentWeights('forward/', inUnits, rnn.units, gates),
            ...recurrentWeights('backward/', inUnits, rnn.units, gates),
          ],
        )
      : ctx.add(`rnn${i}`, cell, args, x, shape, recurrentWeights('', inUnits, rnn.units, gates));
    if (rnn.layerNorm)
      x = norm(
        ctx,
        `rnn_norm${i}`,
        x,
        NormKind.NORM_KIND_LAYER,
        NormKind.NORM_KIND_LAYER,
        `${field}.layerNorm`,
      );
    x = dropout(ctx, `rnn_drop${i}`, x, rnn.dropout);
  }
  if (pooling === SequencePooling.SEQUENCE_POOLING_MEAN)
    x = ctx.add('pool', 'GlobalAveragePooling1D', {}, x, [x.shape[1]]);
  if (pooling === SequencePooling.SEQUENCE_POOLING_MAX)
    x = ctx.add('pool', 'GlobalMaxPooling1D', {}, x, [x.shape[1]]);
  return planHead(ctx, x, rnn.head, numClasses, `${field}.head`);
}
