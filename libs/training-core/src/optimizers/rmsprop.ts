import * as tf from '@tensorflow/tfjs-core';
import { checkBoolean, checkNonNegative } from './hyper-checks';
import { Optimizer, type SlotAccess } from './optimizer';
import type { BaseParamGroup, OptimizerParams, ParamGroupSpec } from './param-group';

export interface RmspropHyper {
  alpha: number;
  eps: number;
  momentum: number;
  centered: boolean;
}

export type RmspropParamGroup = BaseParamGroup & RmspropHyper;

export interface RmspropOptions {
  /** Default 1e-2. */
  readonly lr?: number;
  /** Smoothing constant of the squared-gradient average; default 0.99. */
  readonly alpha?: number;
  /** Added to the denominator after the square root; default 1e-8. */
  readonly eps?: number;
  /** L2 penalty added to the gradient; default 0. */
  readonly weightDecay?: number;
  /** Default 0. */
  readonly momentum?: number;
  /** Normalise by the estimated variance instead of the raw second moment (Graves 2013); default false. */
  readonly centered?: boolean;
}

/** RMSprop (Hinton, lecture 6e) with PyTorch 1.13's `torch.optim.RMSprop` rule. */
export class RMSprop extends Optimizer<RmspropParamGroup> {
  readonly kind = 'rmsprop';
  protected readonly slotNames = ['squareAvg', 'gradAvg', 'momentumBuffer'] as const;
  private readonly defaults: Required<RmspropOptions>;

  constructor(params: OptimizerParams<RmspropHyper>, options: RmspropOptions = {}) {
    super();
    this.defaults = {
      lr: options.lr ?? 1e-2,
      alpha: options.alpha ?? 0.99,
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0,
      momentum: options.momentum ?? 0,
      centered: options.centered ?? false,
    };
    this.validateGroup(this.resolveGroup({ variables: [] }, 'defaults'), 'optimizer');
    this.addParams(params);
  }

  protected resolveGroup(spec: ParamGroupSpec<RmspropHyper>, name: string): RmspropParamGroup {
    const d = this.defaults;
    const lr = spec.lr ?? d.lr;
    return {
      name,
      variables: spec.variables,
      lr,
      initialLr: spec.initialLr ?? lr,
      weightDecay: spec.weightDecay ?? d.weightDecay,
      alpha: spec.alpha ?? d.alpha,
      eps: spec.eps ?? d.eps,
      momentum: spec.momentum ?? d.momentum,
      centered: spec.centered ?? d.centered,
    };
  }

  protected validateHyper(g: RmspropParamGroup, field: string): void {
    checkNonNegative(g.alpha, `${field}.alpha`);
    checkNonNegative(g.eps, `${field}.eps`);
    checkNonNegative(g.momentum, `${field}.momentum`);
    checkBoolean(g.centered, `${field}.centered`);
  }

  protected writeMomentum(g: RmspropParamGroup, value: number): void {
    g.momentum = value;
  }

  protected readMomentum(g: RmspropParamGroup): number {
    return g.momentum;
  }

  // torch/optim/rmsprop.py `_single_tensor_rmsprop` (1.13): eps is added outside the square root,
  // and the momentum buffer starts at zero (unlike SGD's).
  protected updateVariable(
    g: RmspropParamGroup,
    p: tf.Variable,
    grad: tf.Tensor,
    _step: number,
    slots: SlotAccess,
  ): void {
    const gradient = g.weightDecay !== 0 ? tf.add(grad, tf.mul(p, g.weightDecay)) : grad;
    const sq0 = slots.get('squareAvg') ?? tf.zerosLike(p);
    const squareAvg = tf.add(tf.mul(sq0, g.alpha), tf.mul(tf.mul(gradient, gradient), 1 - g.alpha));
    slots.set('squareAvg', squareAvg);
    let avg: tf.Tensor;
    if (g.centered) {
      const ga0 = slots.get('gradAvg') ?? tf.zerosLike(p);
      // grad_avg.lerp_(grad, 1 - alpha); avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
      const gradAvg = tf.add(ga0, tf.mul(tf.sub(gradient, ga0), 1 - g.alpha));
      slots.set('gradAvg', gradAvg);
      avg = tf.add(tf.sqrt(tf.sub(squareAvg, tf.mul(gradAvg, gradAvg))), g.eps);
    } else {
      avg = tf.add(tf.sqrt(squareAvg), g.eps);
    }
    if (g.momentum > 0) {
      const buf0 = slots.get('momentumBuffer') ?? tf.zerosLike(p);
      const buf = tf.add(tf.mul(buf0, g.momentum), tf.div(gradient, avg));
      slots.set('momentumBuffer', buf);
      p.assign(tf.sub(p, tf.mul(buf, g.lr)));
    } else {
      p.assign(tf.sub(p, tf.mul(tf.div(gradient, avg), g.lr)));
    }
  }
}
