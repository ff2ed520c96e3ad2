import { explainScaling, ValidationError, type ScalingRule } from '@athanor/training-core';
import type { Command } from 'commander';

/** Bad input to `athanor scale`; the message names the option. */
export class ScaleInputError extends Error {
  override readonly name = 'ScaleInputError';
}

/** The options as commander hands them over (strings, all optional so that this function reports what is missing). */
export interface ScaleOptions {
  batchSize?: string;
  lr?: string;
  targetBatchSize?: string;
  rule?: string;
  warmupEpochs?: string;
  stepsPerEpoch?: string;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

// The library's field names -> the options they come from.
const OPTION_OF: Readonly<Record<string, string>> = {
  baseLr: '--lr',
  baseBatchSize: '--batch-size',
  batchSize: '--target-batch-size',
  rule: '--rule',
  warmupEpochs: '--warmup-epochs',
  stepsPerEpoch: '--steps-per-epoch',
};

/**
 * `athanor scale`: the LR for --target-batch-size given --lr tuned at --batch-size, by the linear
 * (Goyal et al. 2017) or square-root (Krizhevsky 2014) rule, with an optional linear warm-up as a
 * SchedulerSpec. Returns `{"scaledLr", "warmup", "reasoning"}` as JSON; throws ScaleInputError
 * naming the option.
 */
export function runScale(options: ScaleOptions): string {
  const baseBatchSize = parseInteger(options.batchSize, '--batch-size', 'the batch size --lr was tuned for');
  const baseLr = parseNumber(options.lr, '--lr', 'the learning rate tuned at --batch-size');
  const batchSize = parseInteger(
    options.targetBatchSize,
    '--target-batch-size',
    'the batch size to train with',
  );
  const rule = parseRule(options.rule);
  const warmupEpochs =
    options.warmupEpochs === undefined ? undefined : parseNumber(options.warmupEpochs, '--warmup-epochs', '');
  const stepsPerEpoch =
    options.stepsPerEpoch === undefined
      ? undefined
      : parseInteger(options.stepsPerEpoch, '--steps-per-epoch', '');
  try {
    const result = explainScaling({ baseLr, baseBatchSize, batchSize, rule, warmupEpochs, stepsPerEpoch });
    return JSON.stringify(
      { scaledLr: result.scaledLr, warmup: result.warmup, reasoning: result.reasoning },
      null,
      2,
    );
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ScaleInputError(
      error.violations
        .map(({ field, description }) => `${OPTION_OF[field] ?? field}: ${description}`)
        .join('; '),
    );
  }
}

export function registerScaleCommand(program: Command): void {
  program
    .command('scale')
    .description(
      'scale the learning rate with the batch size (linear or sqrt rule) and print the warm-up schedule',
    )
    .option('--batch-size <n>', 'batch size the learning rate was tuned for')
    .option('--lr <lr>', 'learning rate tuned at --batch-size')
    .option('--target-batch-size <n>', 'batch size to train with')
    .option('--rule <rule>', 'linear (Goyal et al. 2017) or sqrt (Krizhevsky 2014)')
    .option('--warmup-epochs <e>', 'epochs of linear warm-up from --lr to the scaled LR (default 0: none)')
    .option(
      '--steps-per-epoch <n>',
      'count the warm-up in optimizer steps (scheduler stepped every iteration)',
    )
    .action((options: ScaleOptions) => {
      try {
        process.stdout.write(`${runScale(options)}\n`);
      } catch (error) {
        if (!(error instanceof ScaleInputError)) throw error;
        process.stderr.write(`athanor scale: ${error.message}\n`);
        process.exitCode = 2;
      }
    });
}

function parseNumber(text: string | undefined, option: string, what: string): number {
  if (text === undefined) throw new ScaleInputError(`${option}: is required (${what})`);
  const value = Number(text);
  if (!NUMBER.test(text.trim()) || !Number.isFinite(value)) {
    throw new ScaleInputError(`${option}: must be a number, got ${JSON.stringify(text)}`);
  }
  return value;
}

function parseInteger(text: string | undefined, option: string, what: string): number {
  if (text === undefined) throw new ScaleInputError(`${option}: is required (${what})`);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(Number(text))) {
    throw new ScaleInputError(`${option}: must be a positive integer, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

function parseRule(text: string | undefined): ScalingRule {
  if (text === undefined) throw new ScaleInputError('--rule: is required (linear or sqrt)');
  if (text !== 'linear' && text !== 'sqrt') {
    throw new ScaleInputError(`--rule: must be linear or sqrt, got ${JSON.stringify(text)}`);
  }
  return text;
}
