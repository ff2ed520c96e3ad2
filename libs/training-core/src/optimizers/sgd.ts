import * as tf from '@tensorflow/tfjs-core';
import { check } from '../errors';
import { checkBoolean, checkNonNegative, resolveLr } from './hyper-checks';
import { Optimizer, type SlotAccess } from './optimizer';
import type { BaseParamGroup, OptimizerParams, ParamGroupSpec } from './param-group';

export interface SgdHyper {
  momentum: number;
  dampening: number;
  nesterov: boolean;
}

export type SgdParamGroup = BaseParamGroup & SgdHyper;

export interface SgdOptions {
  /** Required unless every group sets its own (PyTorch's SGD has no default LR). */
  readonly lr?: number;
  /** Default 0 (plain SGD). */
  readonly momentum?: number;
  /** Default 0. */
  readonly dampening?: number;
  /** Default false; needs momentum > 0 and dampening 0. */
  readonly nesterov?: boolean;
  /** L2 penalty added to the gradient; default 0. */
  readonly weightDecay?: number;
}

/** Stochastic gradient descent with PyTorch 1.13's `torch.optim.SGD` update rule. */
export class SGD extends Optimizer<SgdParamGroup> {
  readonly kind = 'sgd';
  protected readonly slotNames = ['momentumBuffer'] as const;
  private readonly defaults: SgdOptions;

  constructor(params: OptimizerParams<SgdHyper>, options: SgdOptions = {}) {
    super();
    this.defaults = options;
    // Checked once here so that a bad default is reported as `optimizer.<field>`.
    this.validateGroup(
      this.resolveGroup({ variables: [], lr: options.lr ?? 0 }, 'defaults', 'optimizer'),
      'optimizer',
    );
    this.addParams(params);
  }

  protected resolveGroup(spec: ParamGroupSpec<SgdHyper>, name: string, field: string): SgdParamGroup {
    const d = this.defaults;
    const lr = resolveLr(spec.lr, d.lr, field);
    return {
      name,
      variables: spec.variables,
      lr,
      initialLr: spec.initialLr ?? lr,
      weightDecay: spec.weightDecay ?? d.weightDecay ?? 0,
      momentum: spec.momentum ?? d.momentum ?? 0,
      dampening: spec.dampening ?? d.dampening ?? 0,
      nesterov: spec.nesterov ?? d.nesterov ?? false,
    };
  }

  protected validateHyper(g: SgdParamGroup, field: string): void {
    checkNonNegative(g.momentum, `${field}.momentum`);
    check(
      typeof g.dampening === 'number' && Number.isFinite(g.dampening),
      `${field}.dampening`,
      `must be finite, got ${g.dampening}`,
    );
    checkBoolean(g.nesterov, `${field}.nesterov`);
    check(
      !g.nesterov || (g.momentum > 0 && g.dampening === 0),
      `${field}.nesterov`,
      'Nesterov momentum requires a momentum and zero dampening',
    );
  }

  protected writeMomentum(g: SgdParamGroup, value: number): void {
    g.momentum = value;
  }

  protected readMomentum(g: SgdParamGroup): number {
    return g.momentum;
  }

  // torch/optim/sgd.py `_single_tensor_sgd` (1.13): the first momentum buffer is the gradient itself.
  protected updateVariable(
    g: SgdParamGroup,
    p: tf.Variable,
    grad: tf.Tensor,
    _step: number,
    slots: SlotAccess,
  ): void {
    let d = g.weightDecay !== 0 ? tf.add(grad, tf.mul(p, g.weightDecay)) : grad;
    if (g.momentum !== 0) {
      const previous = slots.get('momentumBuffer');
      const buf =
        previous === undefined
          ? tf.clone(d)
          : tf.add(tf.mul(previous, g.momentum), tf.mul(d, 1 - g.dampening));
      slots.set('momentumBuffer', buf);
      d = g.nesterov ? tf.add(d, tf.mul(buf, g.momentum)) : buf;
    }
    p.assign(tf.sub(p, tf.mul(d, g.lr)));
  }
}
