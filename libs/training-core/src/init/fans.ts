import { check, ValidationError } from '../errors';

/**
 * How a tfjs kernel is laid out (tfjs is channels-last; PyTorch puts out-channels first):
 * - `dense` [in, out]
 * - `conv` [...kernel, in, out] (conv1d/2d/3d)
 * - `conv-transpose` [...kernel, out, in] (tfjs conv2dTranspose); PyTorch's ConvTranspose weight
 *   is [in, out, ...kernel] and its fan_in is taken from dim 1 (= out), so the arithmetic is `conv`'s
 * - `depthwise` [...kernel, in, multiplier]: PyTorch's Conv(in, in * multiplier, groups = in)
 *   weight [in * multiplier, 1, ...kernel] has fan_in = kernel size, fan_out = in * multiplier * kernel size
 * - `recurrent` [in or units, gates * units] (LSTM gates = 4, GRU 3, SimpleRNN 1): PyTorch's
 *   weight_ih/weight_hh are the transposes, [gates * units, in], so fan_in = in and
 *   fan_out = gates * units for the whole matrix; with `perGate`, the fans of one gate's block
 *   (fan_out = units), as when one initialises each `weight.chunk(gates)` separately.
 * - `auto` (default): rank 2 is `dense`, higher ranks are `conv`.
 */
export type FanLayout = 'auto' | 'dense' | 'conv' | 'conv-transpose' | 'depthwise' | 'recurrent';

export interface FanOptions {
  /** Default `auto`. */
  readonly layout?: FanLayout;
  /** Gates in a recurrent kernel (LSTM 4, GRU 3); default 1. Only for `recurrent`. */
  readonly gates?: number;
  /** Fans of a single gate block instead of the whole matrix; default false. Only for `recurrent`. */
  readonly perGate?: boolean;
}

export interface Fans {
  readonly fanIn: number;
  readonly fanOut: number;
}

/** fan_in and fan_out as PyTorch's `_calculate_fan_in_and_fan_out` computes them for the same layer. */
export function computeFans(shape: readonly number[], options: FanOptions = {}): Fans {
  const rank = shape.length;
  // PyTorch: "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions".
  check(rank >= 2, 'shape', `fans need a kernel of rank >= 2, got [${shape.join(', ')}]`);
  shape.forEach((d, i) =>
    check(Number.isInteger(d) && d >= 0, `shape[${i}]`, `must be a non-negative integer, got ${d}`),
  );
  const layout = options.layout ?? 'auto';
  const receptiveField = shape.slice(0, rank - 2).reduce((a, b) => a * b, 1);
  const secondLast = shape[rank - 2];
  const last = shape[rank - 1];
  switch (layout) {
    case 'auto':
    case 'conv':
    case 'conv-transpose':
      return { fanIn: secondLast * receptiveField, fanOut: last * receptiveField };
    case 'dense':
      check(rank === 2, 'shape', `a dense kernel is [in, out], got rank ${rank}`);
      return { fanIn: secondLast, fanOut: last };
    case 'depthwise':
      check(rank >= 3, 'shape', `a depthwise kernel is [...kernel, in, multiplier], got rank ${rank}`);
      return { fanIn: receptiveField, fanOut: secondLast * last * receptiveField };
    case 'recurrent': {
      check(rank === 2, 'shape', `a recurrent kernel is [in, gates * units], got rank ${rank}`);
      const gates = options.gates ?? 1;
      check(Number.isInteger(gates) && gates >= 1, 'gates', `must be a positive integer, got ${gates}`);
      check(last % gates === 0, 'gates', `${last} columns do not split into ${gates} gates`);
      return { fanIn: secondLast, fanOut: options.perGate ? last / gates : last };
    }
    default:
      throw new ValidationError({ field: 'layout', description: `unknown layout "${String(layout)}"` });
  }
}
