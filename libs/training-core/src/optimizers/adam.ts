import { AdamBase, type AdamHyper, type AdamOptions } from './adam-base';
import type { OptimizerParams } from './param-group';

/** Adam (Kingma & Ba 2015) with PyTorch 1.13's `torch.optim.Adam` rule; weight decay is L2. */
export class Adam extends AdamBase {
  readonly kind = 'adam';
  protected readonly decoupled = false;

  constructor(params: OptimizerParams<AdamHyper>, options: AdamOptions = {}) {
    super(params, options, 0);
  }
}
