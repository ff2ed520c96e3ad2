import {
  backend_util,
  DepthwiseConv2dNativeBackpropFilter,
  DepthwiseConv2dNativeBackpropInput,
} from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HostTensor,
  randomHost,
  randomInt,
  relativeError,
  relativeErrorVsCpu,
  runOn,
  wasmReady,
} from '../testing/compare-with-cpu';

type Shape4 = [number, number, number, number];
interface DepthwiseCase {
  x: Shape4;
  filter: Shape4;
  strides: [number, number];
  dilations: [number, number];
  pad: 'same' | 'valid';
}

const fixed: DepthwiseCase[] = [
  { x: [2, 9, 7, 3], filter: [3, 3, 3, 1], strides: [1, 1], dilations: [1, 1], pad: 'same' },
  { x: [1, 8, 9, 2], filter: [3, 3, 2, 2], strides: [2, 2], dilations: [1, 1], pad: 'same' },
  { x: [3, 11, 10, 4], filter: [3, 2, 4, 3], strides: [1, 1], dilations: [2, 2], pad: 'valid' },
  { x: [1, 9, 9, 2], filter: [3, 3, 2, 1], strides: [1, 1], dilations: [2, 3], pad: 'same' },
  { x: [1, 7, 7, 1], filter: [2, 2, 1, 4], strides: [2, 2], dilations: [1, 1], pad: 'valid' },
];

function randomCase(): DepthwiseCase {
  // tfjs allows dilation > 1 only with stride 1.
  const dilated = Math.random() < 0.5;
  const f: [number, number] = [randomInt(1, 4), randomInt(1, 4)];
  const ch = randomInt(1, 5);
  return {
    x: [randomInt(1, 3), randomInt(2 * f[0], 13), randomInt(2 * f[1], 13), ch],
    filter: [f[0], f[1], ch, randomInt(1, 3)],
    strides: dilated ? [1, 1] : [randomInt(1, 2), randomInt(1, 2)],
    dilations: dilated ? [randomInt(1, 2), randomInt(1, 2)] : [1, 1],
    pad: Math.random() < 0.5 ? 'same' : 'valid',
  };
}

/**
 * The cpu backend's depthwise backprop kernels ignore `dilations` (tfjs's gradient never passes
 * one), so a dilated case is checked against the undilated problem with the equivalent filter:
 * taps spread out with zeros between them.
 */
function spread(c: DepthwiseCase): Shape4 {
  const [fh, fw, ci, m] = c.filter;
  return [(fh - 1) * c.dilations[0] + 1, (fw - 1) * c.dilations[1] + 1, ci, m];
}

function spreadFilter(w: HostTensor, c: DepthwiseCase): HostTensor {
  const [fh, fw, ci, m] = c.filter;
  const big = spread(c);
  const values = new Float32Array(big.reduce((a, b) => a * b, 1));
  for (let kh = 0; kh < fh; kh++)
    for (let kw = 0; kw < fw; kw++)
      for (let j = 0; j < ci * m; j++)
        values[(kh * c.dilations[0] * big[1] + kw * c.dilations[1]) * ci * m + j] =
          w.values[(kh * fw + kw) * ci * m + j]!;
  return { shape: big, values };
}

function gatherTaps(
  dw: { shape: number[]; values: Float32Array },
  c: DepthwiseCase,
): { shape: number[]; values: Float32Array } {
  const [fh, fw, ci, m] = c.filter;
  const bigWidth = dw.shape[1];
  const values = new Float32Array(fh * fw * ci * m);
  for (let kh = 0; kh < fh; kh++)
    for (let kw = 0; kw < fw; kw++)
      for (let j = 0; j < ci * m; j++)
        values[(kh * fw + kw) * ci * m + j] =
          dw.values[(kh * c.dilations[0] * bigWidth + kw * c.dilations[1]) * ci * m + j]!;
  return { shape: [...c.filter], values };
}

async function errors(c: DepthwiseCase): Promise<{ filter: number; input: number }> {
  const info = backend_util.computeConv2DInfo(c.x, c.filter, c.strides, c.dilations, c.pad, undefined, true);
  const dy = randomHost(info.outShape);
  const x = randomHost(c.x);
  const w = randomHost(c.filter);
  const common = { strides: c.strides, pad: c.pad, dilations: c.dilations };
  if (c.dilations[0] === 1 && c.dilations[1] === 1) {
    return {
      filter: await relativeErrorVsCpu(
        DepthwiseConv2dNativeBackpropFilter,
        { x, dy },
        { ...common, filterShape: c.filter },
      ),
      input: await relativeErrorVsCpu(
        DepthwiseConv2dNativeBackpropInput,
        { dy, filter: w },
        { ...common, inputShape: c.x },
      ),
    };
  }
  const undilated = { strides: c.strides, pad: c.pad, dilations: [1, 1] };
  const dwReference = await runOn(
    'cpu',
    DepthwiseConv2dNativeBackpropFilter,
    { x, dy },
    { ...undilated, filterShape: spread(c) },
  );
  const dxReference = await runOn(
    'cpu',
    DepthwiseConv2dNativeBackpropInput,
    { dy, filter: spreadFilter(w, c) },
    {
      ...undilated,
      inputShape: c.x,
    },
  );
  const dw = await runOn(
    'wasm',
    DepthwiseConv2dNativeBackpropFilter,
    { x, dy },
    { ...common, filterShape: c.filter },
  );
  const dx = await runOn(
    'wasm',
    DepthwiseConv2dNativeBackpropInput,
    { dy, filter: w },
    { ...common, inputShape: c.x },
  );
  return {
    filter: relativeError(DepthwiseConv2dNativeBackpropFilter, dw, gatherTaps(dwReference, c)),
    input: relativeError(DepthwiseConv2dNativeBackpropInput, dx, dxReference),
  };
}

const worst = { filter: 0, input: 0 };

describe('depthwise Conv2D gradients on wasm match the cpu backend', () => {
  beforeAll(() => wasmReady());
  afterAll(() => console.info(`depthwise max relative error: ${JSON.stringify(worst)}`));

  const cases = [...fixed, ...Array.from({ length: 5 }, randomCase)];
  it.each(cases.map((c, i) => [i, c] as const))('case %i', async (_i, c) => {
    const error = await errors(c);
    worst.filter = Math.max(worst.filter, error.filter);
    worst.input = Math.max(worst.input, error.input);
    expect(error.filter).toBeLessThan(1e-4);
    expect(error.input).toBeLessThan(1e-4);
  });
});
