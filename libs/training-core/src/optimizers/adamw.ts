import { AdamBase, type AdamHyper, type AdamOptions } from './adam-base';
import type { OptimizerParams } from './param-group';

/** AdamW (Loshchilov & Hutter 2019) with PyTorch 1.13's `torch.optim.AdamW` rule (default wd 1e-2). */
export class AdamW extends AdamBase {
  readonly kind = 'adamw';
  protected readonly decoupled = true;

  constructor(params: OptimizerParams<AdamHyper>, options: AdamOptions = {}) {
    super(params, options, 1e-2);
  }
}
