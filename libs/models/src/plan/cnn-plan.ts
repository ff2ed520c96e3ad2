import { modelbuilder } from '@athanor/contracts';
import {
  activation,
  checkActivation,
  checkLeakySlope,
  dropout,
  flatten,
  norm,
  normHasOffset,
  weightPlan,
} from './layer-plans';
import { planHead } from './head-plan';
import {
  checkInt,
  checkLength,
  checkPositive,
  checkRate,
  MAX_REPEATS,
  type PlanContext,
  type Sym,
} from './plan-context';

const { Activation, NormKind, PaddingMode, PoolingKind } = modelbuilder;

/**
 * CNN: [stem] -> stages x blocks x (conv -> norm -> activation) [+ residual] [-> pooling] [-> dropout]
 * -> global average pooling (or flatten) -> head. Shapes are NHWC.
 */
export function planCnn(
  ctx: PlanContext,
  x: Sym,
  cnn: modelbuilder.CnnSpec,
  numClasses: number,
  field: string,
): Sym {
  if (x.shape.length !== 3) {
    ctx.error('spec.inputShape', `a CNN takes [H, W, C] images, got [${x.shape.join(', ')}]`);
    return x;
  }
  const widthMult = cnn.widthMultiplier ?? 1;
  const depthMult = cnn.depthMultiplier ?? 1;
  checkPositive(ctx, `${field}.widthMultiplier`, widthMult);
  checkPositive(ctx, `${field}.depthMultiplier`, depthMult);
  const scaleWidth = (c: number) =>
    Math.max(1, Math.round(c * (Number.isFinite(widthMult) && widthMult > 0 ? widthMult : 1)));
  if (cnn.stem)
    x = planBlock(ctx, x, cnn.stem, 'stem', `${field}.stem`, { first: true, last: true, scaleWidth });
  if (cnn.stages.length === 0) ctx.error(`${field}.stages`, 'at least one stage is required');
  if (!checkLength(ctx, `${field}.stages`, cnn.stages, 64)) return x;
  const seen = new Set<string>();
  cnn.stages.forEach((stage, i) => {
    const sf = `${field}.stages[${i}]`;
    const name = stage.name || `stage${i}`;
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name))
      ctx.error(`${sf}.name`, `must be a letter then letters, digits or _, got "${name}"`);
    else if (seen.has(name)) ctx.error(`${sf}.name`, `"${name}" names two stages`);
    seen.add(name);
    if (!checkInt(ctx, `${sf}.numBlocks`, stage.numBlocks, 1, 'an integer', MAX_REPEATS)) return;
    if (!stage.block) {
      ctx.error(`${sf}.block`, 'is required');
      return;
    }
    const blocks = Math.min(
      MAX_REPEATS,
      Math.max(
        1,
        Math.round((stage.numBlocks ?? 1) * (Number.isFinite(depthMult) && depthMult > 0 ? depthMult : 1)),
      ),
    );
    for (let j = 0; j < blocks; j++) {
      x = planBlock(ctx, x, stage.block, `${name}_block${j}`, `${sf}.block`, {
        first: j === 0,
        last: j === blocks - 1,
        scaleWidth,
      });
    }
  });
  if (cnn.globalAveragePool ?? true) {
    x = ctx.add('global_pool', 'GlobalAveragePooling2D', {}, x, [x.shape[2]]);
  } else {
    x = flatten(ctx, 'flatten', x);
  }
  return planHead(ctx, x, cnn.head, numClasses, `${field}.head`);
}

interface BlockPosition {
  /** The first repetition takes the stride. */
  readonly first: boolean;
  /** The last repetition takes the pooling. */
  readonly last: boolean;
  readonly scaleWidth: (channels: number) => number;
}

function planBlock(
  ctx: PlanContext,
  x: Sym,
  block: modelbuilder.ConvBlock,
  prefix: string,
  field: string,
  pos: BlockPosition,
): Sym {
  const ok =
    checkInt(ctx, `${field}.channels`, block.channels, 1, 'an integer') &&
    checkInt(ctx, `${field}.kernelSize`, block.kernelSize, 1) &&
    checkInt(ctx, `${field}.stride`, block.stride, 1) &&
    checkInt(ctx, `${field}.dilation`, block.dilation, 1) &&
    checkInt(ctx, `${field}.normGroups`, block.normGroups, 1) &&
    checkInt(ctx, `${field}.convsPerBlock`, block.convsPerBlock, 1) &&
    checkRate(ctx, `${field}.dropout`, block.dropout);
  checkActivation(ctx, `${field}.activation`, block.activation);
  checkLeakySlope(ctx, `${field}.leakyReluSlope`, block.leakyReluSlope);
  if (block.padding?.$case === 'paddingPixels')
    checkInt(ctx, `${field}.paddingPixels`, block.padding.value, 0);
  if (block.padding?.$case === 'paddingMode' && !Object.values(PaddingMode).includes(block.padding.value)) {
    ctx.error(`${field}.paddingMode`, `unknown padding mode ${String(block.padding.value)}`);
  }
  if (!ok) return x;
  const channels = pos.scaleWidth(block.channels);
  const k = block.kernelSize ?? 3;
  const dilation = block.dilation ?? 1;
  const stride = pos.first ? (block.stride ?? 1) : 1;
  if (stride > 1 && dilation > 1) {
    ctx.error(`${field}.dilation`, 'tfjs cannot combine a stride > 1 with a dilation > 1 in one convolution');
  }
  const normKind = block.norm;
  const hasOffset = normHasOffset(normKind, NormKind.NORM_KIND_BATCH);
  const bias = block.bias ?? !hasOffset;
  if (block.bias === true && hasOffset) {
    ctx.warn(
      `${field}.bias`,
      'a conv bias before BatchNorm/GroupNorm is redundant (the norm subtracts the mean)',
    );
  }
  const convs = block.convsPerBlock ?? 1;
  const input = x;
  let preActivation = x;
  for (let c = 0; c < convs; c++) {
    const s = c === 0 ? stride : 1;
    x = conv(ctx, x, {
      prefix,
      index: c,
      channels,
      k,
      stride: s,
      dilation,
      bias,
      padding: block.padding,
      field,
    });
    x = norm(
      ctx,
      `${prefix}_norm${c}`,
      x,
      normKind,
      NormKind.NORM_KIND_BATCH,
      `${field}.norm`,
      block.normGroups ?? 32,
    );
    preActivation = x;
    if (c < convs - 1 || !block.residual) {
      x = activation(
        ctx,
        `${prefix}_act${c}`,
        x,
        block.activation,
        Activation.ACTIVATION_RELU,
        `${field}.activation`,
        block.leakyReluSlope ?? 0.01,
      );
    }
  }
  if (block.residual) {
    let shortcut = input;
    const [h, wd] = input.shape;
    const same = input.shape.every((d, i) => d === preActivation.shape[i]);
    if (!same) {
      // ResNet's projection shortcut: a 1x1 conv with the block's stride, then the block's norm.
      const projected = [Math.ceil(h / stride), Math.ceil(wd / stride)];
      if (projected[0] !== preActivation.shape[0] || projected[1] !== preActivation.shape[1]) {
        ctx.shapeError(
          `${field}.residual`,
          `the block maps ${h}x${wd} to ${preActivation.shape[0]}x${preActivation.shape[1]}, which a strided 1x1 shortcut cannot match (use SAME padding)`,
        );
        return preActivation;
      }
      shortcut = ctx.add(
        `${prefix}_proj`,
        'Conv2D',
        { filters: channels, kernelSize: 1, strides: stride, padding: 'same', useBias: !hasOffset },
        input,
        [projected[0], projected[1], channels],
        [
          weightPlan('kernel', [1, 1, input.shape[2], channels]),
          ...(hasOffset ? [] : [weightPlan('bias', [channels])]),
        ],
      );
      shortcut = norm(
        ctx,
        `${prefix}_proj_norm`,
        shortcut,
        normKind,
        NormKind.NORM_KIND_BATCH,
        `${field}.norm`,
        block.normGroups ?? 32,
      );
    }
    x = ctx.add(`${prefix}_add`, 'Add', {}, [preActivation, shortcut], preActivation.shape);
    x = activation(
      ctx,
      `${prefix}_act${convs - 1}`,
      x,
      block.activation,
      Activation.ACTIVATION_RELU,
      `${field}.activation`,
      block.leakyReluSlope ?? 0.01,
    );
  }
  if (pos.last && block.pooling && block.pooling.kind !== PoolingKind.POOLING_KIND_UNSPECIFIED) {
    x = pool(ctx, x, block.pooling, `${prefix}_pool`, `${field}.pooling`);
  }
  return dropout(ctx, `${prefix}_drop`, x, block.dropout);
}

interface ConvArgs {
  readonly prefix: string;
  readonly index: number;
  readonly channels: number;
  readonly k: number;
  readonly stride: number;
  readonly dilation: number;
  readonly bias: boolean;
  readonly padding: modelbuilder.ConvBlock['padding'];
  readonly field: string;
}

function conv(ctx: PlanContext, x: Sym, a: ConvArgs): Sym {
  let [h, wd] = x.shape;
  const cin = x.shape[2];
  let mode: 'same' | 'valid' = 'same';
  if (a.padding?.$case === 'paddingPixels') {
    const p = a.padding.value;
    mode = 'valid';
    if (p > 0) {
      h += 2 * p;
      wd += 2 * p;
      x = ctx.add(`${a.prefix}_pad${a.index}`, 'ZeroPadding2D', { padding: p }, x, [h, wd, cin]);
    }
  } else if (a.padding?.$case === 'paddingMode' && a.padding.value === PaddingMode.PADDING_MODE_VALID) {
    mode = 'valid';
  }
  const span = a.dilation * (a.k - 1) + 1;
  const out =
    mode === 'same'
      ? [Math.ceil(h / a.stride), Math.ceil(wd / a.stride)]
      : [Math.floor((h - span) / a.stride) + 1, Math.floor((wd - span) / a.stride) + 1];
  if (out[0] < 1 || out[1] < 1) {
    ctx.shapeError(
      `${a.field}.kernelSize`,
      `a ${span}x${span} receptive field (kernel ${a.k}, dilation ${a.dilation}) does not fit the ${h}x${wd} input`,
    );
    out[0] = Math.max(1, out[0]);
    out[1] = Math.max(1, out[1]);
  }
  return ctx.add(
    `${a.prefix}_conv${a.index}`,
    'Conv2D',
    {
      filters: a.channels,
      kernelSize: a.k,
      strides: a.stride,
      padding: mode,
      dilationRate: a.dilation,
      useBias: a.bias,
    },
    x,
    [out[0], out[1], a.channels],
    [
      weightPlan('kernel', [a.k, a.k, cin, a.channels]),
      ...(a.bias ? [weightPlan('bias', [a.channels])] : []),
    ],
    a.field,
  );
}

function pool(ctx: PlanContext, x: Sym, spec: modelbuilder.PoolingSpec, name: string, field: string): Sym {
  const okSize = checkInt(ctx, `${field}.size`, spec.size, 1);
  const okStride = checkInt(ctx, `${field}.stride`, spec.stride, 1);
  if (!okSize || !okStride) return x;
  if (spec.kind !== PoolingKind.POOLING_KIND_MAX && spec.kind !== PoolingKind.POOLING_KIND_AVG) {
    ctx.error(`${field}.kind`, `unknown pooling kind ${String(spec.kind)}`);
    return x;
  }
  const size = spec.size ?? 2;
  const stride = spec.stride ?? size;
  const [h, wd, c] = x.shape;
  // PyTorch's MaxPool2d/AvgPool2d without padding: floor((in - size) / stride) + 1.
  const out = [Math.floor((h - size) / stride) + 1, Math.floor((wd - size) / stride) + 1];
  if (out[0] < 1 || out[1] < 1) {
    ctx.shapeError(field, `pooling reduces ${h}x${wd} to ${Math.max(0, out[0])}x${Math.max(0, out[1])}`);
    out[0] = Math.max(1, out[0]);
    out[1] = Math.max(1, out[1]);
  }
  const className = spec.kind === PoolingKind.POOLING_KIND_MAX ? 'MaxPooling2D' : 'AveragePooling2D';
  return ctx.add(name, className, { poolSize: size, strides: stride, padding: 'valid' }, x, [
    out[0],
    out[1],
    c,
  ]);
}
