import { previewSchedule, ValidationError, type SchedulerSpec } from '@athanor/training-core';
import type { Command } from 'commander';
import { formatValue, renderLineChart } from '../terminal-chart';

/** Bad input to `athanor schedule`; the message names the option (and the field inside --spec). */
export class ScheduleInputError extends Error {
  override readonly name = 'ScheduleInputError';
}

/** The options as commander hands them over (strings, all optional so that this function reports what is missing). */
export interface ScheduleOptions {
  lr?: string;
  spec?: string;
  steps?: string;
  metrics?: string;
  plot?: boolean;
}

/** Larger previews are refused: the output is meant for a terminal or a client, not a training run. */
export const MAX_PREVIEW_STEPS = 1_000_000;

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * `athanor schedule`: the LR in force at each of --steps optimizer steps for --spec (DESIGN.md's
 * SchedulerSpec JSON) from base LR --lr, the scheduler stepped after each step (PyTorch's order).
 * Returns one JSON array, or with --plot a terminal chart. Throws ScheduleInputError naming the option.
 */
export function runSchedule(options: ScheduleOptions): string {
  const lr = parseLr(options.lr);
  const steps = parseSteps(options.steps);
  const spec = parseSpecJson(options.spec);
  const metrics = options.metrics === undefined ? undefined : parseMetrics(options.metrics);
  let lrs: number[];
  try {
    lrs = previewSchedule(spec, lr, steps, metrics);
  } catch (error) {
    if (error instanceof ValidationError) throw new ScheduleInputError(describeViolations(error));
    throw error;
  }
  if (!options.plot) return JSON.stringify(lrs);
  const kind = Object.keys(spec)[0] ?? '';
  return [
    renderLineChart(lrs, { title: `${kind} from lr ${formatValue(lr)}, ${steps} steps` }),
    summarize(lrs),
  ].join('\n');
}

export function registerScheduleCommand(program: Command): void {
  program
    .command('schedule')
    .description(
      'print the LR in force at each of N optimizer steps for a SchedulerSpec (PyTorch order), or --plot it',
    )
    .option('--lr <lr>', 'base learning rate')
    .option('--spec <json>', `SchedulerSpec JSON, e.g. '{"cosineAnnealing":{"tMax":100}}'`)
    .option('--steps <n>', 'number of optimizer steps to show')
    .option('--metrics <v1,v2,...>', 'the metric after each step, comma-separated (reduceOnPlateau)')
    .option('--plot', 'draw a terminal chart instead of printing the JSON array')
    .action((options: ScheduleOptions) => {
      try {
        process.stdout.write(`${runSchedule(options)}\n`);
      } catch (error) {
        if (!(error instanceof ScheduleInputError)) throw error;
        process.stderr.write(`athanor schedule: ${error.message}\n`);
        process.exitCode = 2;
      }
    });
}

function parseLr(text: string | undefined): number {
  if (text === undefined)
    throw new ScheduleInputError('--lr: is required (the base learning rate, e.g. --lr 0.1)');
  const lr = Number(text);
  if (!NUMBER.test(text.trim()) || !Number.isFinite(lr) || lr < 0) {
    throw new ScheduleInputError(`--lr: must be a number >= 0, got ${JSON.stringify(text)}`);
  }
  return lr;
}

function parseSteps(text: string | undefined): number {
  if (text === undefined)
    throw new ScheduleInputError('--steps: is required (how many optimizer steps to show)');
  if (!/^\d+$/.test(text.trim()) || Number(text) > MAX_PREVIEW_STEPS) {
    throw new ScheduleInputError(
      `--steps: must be an integer from 0 to ${MAX_PREVIEW_STEPS}, got ${JSON.stringify(text)}`,
    );
  }
  return Number(text);
}

function parseSpecJson(text: string | undefined): SchedulerSpec {
  if (text === undefined)
    throw new ScheduleInputError(`--spec: is required (SchedulerSpec JSON, e.g. '{"step":{"stepSize":30}}')`);
  try {
    return JSON.parse(text) as SchedulerSpec;
  } catch (error) {
    throw new ScheduleInputError(`--spec: is not valid JSON (${(error as Error).message})`);
  }
}

function parseMetrics(text: string): number[] {
  const parts = text.trim() === '' ? [] : text.split(',');
  return parts.map((part, i) => {
    if (!NUMBER.test(part.trim())) {
      throw new ScheduleInputError(`--metrics: value ${i + 1} is not a number: ${JSON.stringify(part)}`);
    }
    return Number(part);
  });
}

/** Maps the library's field paths to the option they came from. */
function describeViolations(error: ValidationError): string {
  return error.violations
    .map(({ field, description }) => {
      if (field === 'steps') return `--steps: ${description}`;
      if (field.startsWith('metrics'))
        return `--metrics: ${field === 'metrics' ? '' : `${field}: `}${description}`;
      if (field.startsWith('baseLrs')) return `--lr: ${description}`;
      return `--spec: ${field}: ${description}`;
    })
    .join('; ');
}

/** One line under the chart: where the schedule starts, peaks and ends (warm-up shows as a later peak). */
function summarize(lrs: readonly number[]): string {
  if (lrs.length === 0) return '';
  let peak = 0;
  lrs.forEach((lr, i) => {
    if (lr > lrs[peak]) peak = i;
  });
  const parts = [`start ${formatValue(lrs[0])}`];
  if (peak > 0) parts.push(`peak ${formatValue(lrs[peak])} at step ${peak}`);
  parts.push(`end ${formatValue(lrs[lrs.length - 1])} at step ${lrs.length - 1}`);
  return parts.join(' · ');
}
