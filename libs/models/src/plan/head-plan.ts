import { modelbuilder } from '@athanor/contracts';
import { activation, checkActivation, dense, dropout } from './layer-plans';
import { checkInt, checkLength, checkRate, type PlanContext, type Sym } from './plan-context';

/** The classifier head: [dropout -> dense -> activation] per hidden width, then [dropout ->] logits. */
export function planHead(
  ctx: PlanContext,
  x: Sym,
  head: modelbuilder.HeadSpec | undefined,
  numClasses: number,
  field: string,
): Sym {
  const all = head?.hiddenUnits ?? [];
  const hidden = checkLength(ctx, `${field}.hiddenUnits`, all, 100) ? all : [];
  const rate = head?.dropout ?? 0;
  checkRate(ctx, `${field}.dropout`, rate);
  if (head) checkActivation(ctx, `${field}.activation`, head.activation);
  hidden.forEach((units, i) => {
    if (!checkInt(ctx, `${field}.hiddenUnits[${i}]`, units, 1)) return;
    x = dropout(ctx, `head_drop${i}`, x, rate);
    x = dense(ctx, `head_dense${i}`, x, units);
    x = activation(
      ctx,
      `head_act${i}`,
      x,
      head!.activation,
      modelbuilder.Activation.ACTIVATION_RELU,
      `${field}.activation`,
    );
  });
  x = dropout(ctx, 'head_drop', x, rate);
  return dense(ctx, 'logits', x, numClasses);
}
