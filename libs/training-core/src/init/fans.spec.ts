import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors';
import { computeFans } from './fans';
import { calculateGain } from './gain';

// Expected fans are what PyTorch 1.13's `_calculate_fan_in_and_fan_out` returns for the same layer
// (printed with torch for the module in each comment).
describe('computeFans', () => {
  it('dense [in, out] like nn.Linear(in, out)', () => {
    expect(computeFans([3, 5])).toEqual({ fanIn: 3, fanOut: 5 });
  });

  it('conv [kh, kw, in, out] like nn.Conv2d(16, 32, 3): (144, 288); conv1d [k, in, out]: (20, 40)', () => {
    expect(computeFans([3, 3, 16, 32])).toEqual({ fanIn: 144, fanOut: 288 });
    expect(computeFans([5, 4, 8], { layout: 'conv' })).toEqual({ fanIn: 20, fanOut: 40 });
  });

  it('conv-transpose [kh, kw, out, in] like nn.ConvTranspose2d(4, 8, 3): (72, 36)', () => {
    expect(computeFans([3, 3, 8, 4], { layout: 'conv-transpose' })).toEqual({ fanIn: 72, fanOut: 36 });
  });

  it('depthwise [kh, kw, in, multiplier] like nn.Conv2d(16, 32, 3, groups=16): (9, 288)', () => {
    expect(computeFans([3, 3, 16, 2], { layout: 'depthwise' })).toEqual({ fanIn: 9, fanOut: 288 });
  });

  it('recurrent [in, 4 * units] like nn.LSTM(10, 20).weight_ih_l0: (10, 80); weight_hh_l0: (20, 80)', () => {
    expect(computeFans([10, 80], { layout: 'recurrent', gates: 4 })).toEqual({ fanIn: 10, fanOut: 80 });
    expect(computeFans([20, 80], { layout: 'recurrent', gates: 4 })).toEqual({ fanIn: 20, fanOut: 80 });
    expect(computeFans([10, 80], { layout: 'recurrent', gates: 4, perGate: true })).toEqual({
      fanIn: 10,
      fanOut: 20,
    });
  });

  it('rejects shapes it cannot read, naming the field', () => {
    expect(() => computeFans([5])).toThrow(ValidationError);
    expect(() => computeFans([10, 81], { layout: 'recurrent', gates: 4 })).toThrow(/^gates:/);
    expect(() => computeFans([3, 3, 2], { layout: 'dense' })).toThrow(/^shape:/);
    expect(() => computeFans([3, -1])).toThrow(/^shape\[1\]:/);
  });
});

describe('calculateGain (PyTorch table)', () => {
  it.each([
    ['linear', 1],
    ['conv1d', 1],
    ['conv2d', 1],
    ['conv3d', 1],
    ['conv_transpose2d', 1],
    ['sigmoid', 1],
    ['tanh', 5 / 3],
    ['relu', Math.SQRT2],
    ['leaky_relu', Math.sqrt(2 / (1 + 0.01 ** 2))],
    ['selu', 0.75],
  ] as const)('%s -> %f', (name, gain) => {
    expect(calculateGain(name)).toBe(gain);
  });

  it('uses the negative slope for leaky_relu', () => {
    expect(calculateGain('leaky_relu', 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 15);
    expect(calculateGain('leaky_relu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 15);
  });

  it('rejects an unknown nonlinearity', () => {
    expect(() => calculateGain('swish' as never)).toThrow(/^nonlinearity:/);
  });
});
