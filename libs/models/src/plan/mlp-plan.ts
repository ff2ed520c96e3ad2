import { modelbuilder } from '@athanor/contracts';
import { activation, checkActivation, checkLeakySlope, dense, dropout, flatten, norm } from './layer-plans';
import { checkInt, checkLength, checkRate, MAX_REPEATS, type PlanContext, type Sym } from './plan-context';

const { Activation, NormKind } = modelbuilder;

/** MLP: flatten -> hidden x (dense -> norm -> activation -> dropout) -> logits. */
export function planMlp(
  ctx: PlanContext,
  x: Sym,
  mlp: modelbuilder.MlpSpec,
  numClasses: number,
  field: string,
): Sym {
  let widths: number[] = mlp.widths;
  if (widths.length === 0) {
    if (mlp.depth === 0 && mlp.width === 0) {
      ctx.error(`${field}.depth`, 'depth and width (or widths) are required');
    } else {
      const okDepth = checkInt(ctx, `${field}.depth`, mlp.depth, 1, 'an integer', MAX_REPEATS);
      const okWidth = checkInt(ctx, `${field}.width`, mlp.width, 1);
      if (okDepth && okWidth) widths = Array.from({ length: mlp.depth }, () => mlp.width);
    }
  } else if (checkLength(ctx, `${field}.widths`, widths, MAX_REPEATS)) {
    widths.forEach((u, i) => checkInt(ctx, `${field}.widths[${i}]`, u, 1));
  } else {
    widths = [];
  }
  checkActivation(ctx, `${field}.activation`, mlp.activation);
  checkLeakySlope(ctx, `${field}.leakyReluSlope`, mlp.leakyReluSlope);
  checkRate(ctx, `${field}.dropout`, mlp.dropout);
  const bias = mlp.bias ?? true;
  x = flatten(ctx, 'flatten', x);
  widths.forEach((units, i) => {
    if (!Number.isInteger(units) || units < 1) return;
    x = dense(ctx, `dense${i}`, x, units, bias);
    x = norm(ctx, `norm${i}`, x, mlp.norm, NormKind.NORM_KIND_NONE, `${field}.norm`);
    x = activation(
      ctx,
      `act${i}`,
      x,
      mlp.activation,
      Activation.ACTIVATION_RELU,
      `${field}.activation`,
      mlp.leakyReluSlope ?? 0.01,
    );
    x = dropout(ctx, `drop${i}`, x, mlp.dropout);
  });
  return dense(ctx, 'logits', x, numClasses);
}
