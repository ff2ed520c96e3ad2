import * as tf from '@tensorflow/tfjs-core';
import { check } from '../errors';
import { checkBoolean, checkNonNegative, checkUnitInterval } from './hyper-checks';
import { Optimizer, type SlotAccess } from './optimizer';
import type { BaseParamGroup, OptimizerParams, ParamGroupSpec } from './param-group';

export interface AdamHyper {
  /** [beta1, beta2]; a momentum schedule writes beta1. */
  betas: [number, number];
  eps: number;
  amsgrad: boolean;
}

export type AdamParamGroup = BaseParamGroup & AdamHyper;

export interface AdamOptions {
  /** Default 1e-3. */
  readonly lr?: number;
  /** Default [0.9, 0.999]. */
  readonly betas?: readonly [number, number];
  /** Added to the denominator after the square root; default 1e-8. */
  readonly eps?: number;
  /** Default 0 for Adam (L2 added to the gradient), 1e-2 for AdamW (decoupled). */
  readonly weightDecay?: number;
  /** Keep the running maximum of the second moment (Reddi et al. 2018); default false. */
  readonly amsgrad?: boolean;
}

/**
 * Adam and AdamW share everything but where weight decay enters; PyTorch 1.13 keeps them as two
 * classes with the same slots, and so do we.
 */
export abstract class AdamBase extends Optimizer<AdamParamGroup> {
  protected readonly slotNames = ['expAvg', 'expAvgSq', 'maxExpAvgSq'] as const;
  private readonly defaults: Required<AdamOptions>;

  /** True for AdamW: decay the weights directly instead of adding an L2 term to the gradient. */
  protected abstract readonly decoupled: boolean;

  protected constructor(
    params: OptimizerParams<AdamHyper>,
    options: AdamOptions,
    defaultWeightDecay: number,
  ) {
    super();
    this.defaults = {
      lr: options.lr ?? 1e-3,
      betas: options.betas ?? [0.9, 0.999],
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? defaultWeightDecay,
      amsgrad: options.amsgrad ?? false,
    };
    this.validateGroup(this.resolveGroup({ variables: [] }, 'defaults'), 'optimizer');
    this.addParams(params);
  }

  protected resolveGroup(spec: ParamGroupSpec<AdamHyper>, name: string): AdamParamGroup {
    const d = this.defaults;
    const lr = spec.lr ?? d.lr;
    const betas = spec.betas ?? d.betas;
    return {
      name,
      variables: spec.variables,
      lr,
      initialLr: spec.initialLr ?? lr,
      weightDecay: spec.weightDecay ?? d.weightDecay,
      betas: [betas[0], betas[1]],
      eps: spec.eps ?? d.eps,
      amsgrad: spec.amsgrad ?? d.amsgrad,
    };
  }

  protected validateHyper(g: AdamParamGroup, field: string): void {
    check(Array.isArray(g.betas) && g.betas.length === 2, `${field}.betas`, 'must be [beta1, beta2]');
    checkUnitInterval(g.betas[0], `${field}.betas[0]`);
    checkUnitInterval(g.betas[1], `${field}.betas[1]`);
    checkNonNegative(g.eps, `${field}.eps`);
    checkBoolean(g.amsgrad, `${field}.amsgrad`);
  }

  protected writeMomentum(g: AdamParamGroup, value: number): void {
    g.betas = [value, g.betas[1]];
  }

  protected readMomentum(g: AdamParamGroup): number {
    return g.betas[0];
  }

  // torch/optim/adam.py and adamw.py `_single_tensor_*` (1.13), non-capturable path: the bias
  // corrections are computed in float64 on the host, eps is added after the square root.
  protected updateVariable(
    g: AdamParamGroup,
    p: tf.Variable,
    grad: tf.Tensor,
    step: number,
    slots: SlotAccess,
  ): void {
    const [beta1, beta2] = g.betas;
    let gradient = grad;
    if (this.decoupled) {
      // Loshchilov & Hutter 2019: p <- p * (1 - lr * wd), before the Adam step.
      if (g.weightDecay !== 0) p.assign(tf.mul(p, 1 - g.lr * g.weightDecay));
    } else if (g.weightDecay !== 0) {
      gradient = tf.add(grad, tf.mul(p, g.weightDecay));
    }
    const m0 = slots.get('expAvg') ?? tf.zerosLike(p);
    const v0 = slots.get('expAvgSq') ?? tf.zerosLike(p);
    // exp_avg.lerp_(grad, 1 - beta1); exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    const m = tf.add(m0, tf.mul(tf.sub(gradient, m0), 1 - beta1));
    const v = tf.add(tf.mul(v0, beta2), tf.mul(tf.mul(gradient, gradient), 1 - beta2));
    slots.set('expAvg', m);
    slots.set('expAvgSq', v);
    const biasCorrection1 = 1 - beta1 ** step;
    const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** step);
    let second = v;
    if (g.amsgrad) {
      const previousMax = slots.get('maxExpAvgSq');
      second = previousMax === undefined ? v : tf.maximum(previousMax, v);
      slots.set('maxExpAvgSq', second);
    }
    const denom = tf.add(tf.div(tf.sqrt(second), biasCorrection2Sqrt), g.eps);
    p.assign(tf.sub(p, tf.mul(tf.div(m, denom), g.lr / biasCorrection1)));
  }
}
