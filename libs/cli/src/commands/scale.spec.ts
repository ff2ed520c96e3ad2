import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerScaleCommand, runScale, ScaleInputError } from './scale';

interface ScaleOutput {
  scaledLr: number;
  warmup: unknown;
  reasoning: string;
}
const parse = (out: string) => JSON.parse(out) as ScaleOutput;

describe('runScale', () => {
  it('prints the linear rule with a warm-up in epochs', () => {
    const out = parse(
      runScale({ batchSize: '256', lr: '0.1', targetBatchSize: '1024', rule: 'linear', warmupEpochs: '5' }),
    );
    expect(out.scaledLr).toBeCloseTo(0.4, 15);
    expect(out.warmup).toEqual({
      sequential: {
        schedulers: [
          { linear: { startFactor: 0.25, endFactor: 1, totalIters: 5 } },
          { constant: { factor: 1, totalIters: 1 } },
        ],
        milestones: [5],
      },
    });
    expect(out.reasoning).toMatch(/Goyal et al\. 2017/);
  });

  it('prints the sqrt rule, warm-up in steps, and null without warm-up', () => {
    const withSteps = parse(
      runScale({
        batchSize: '128',
        lr: '0.01',
        targetBatchSize: '512',
        rule: 'sqrt',
        warmupEpochs: '2',
        stepsPerEpoch: '50',
      }),
    );
    expect(withSteps.scaledLr).toBeCloseTo(0.02, 15);
    expect(withSteps.warmup).toMatchObject({ sequential: { milestones: [100] } });
    const none = parse(runScale({ batchSize: '128', lr: '0.01', targetBatchSize: '512', rule: 'sqrt' }));
    expect(none.warmup).toBeNull();
    expect(none.reasoning).toMatch(/Krizhevsky 2014/);
  });

  it.each([
    [{ lr: '0.1', targetBatchSize: '64', rule: 'linear' }, /^--batch-size: is required/],
    [{ batchSize: '32', lr: 'fast', targetBatchSize: '64', rule: 'linear' }, /^--lr: must be a number/],
    [{ batchSize: '32', lr: '-0.1', targetBatchSize: '64', rule: 'linear' }, /^--lr: must be finite and > 0/],
    [
      { batchSize: '32', lr: '0.1', targetBatchSize: '0', rule: 'linear' },
      /^--target-batch-size: must be a positive integer/,
    ],
    [{ batchSize: '32', lr: '0.1', targetBatchSize: '64', rule: 'cubic' }, /^--rule: must be linear or sqrt/],
    [
      { batchSize: '32', lr: '0.1', targetBatchSize: '64', rule: 'linear', warmupEpochs: '1.5' },
      /^--warmup-epochs: must be an integer/,
    ],
    [
      {
        batchSize: '32',
        lr: '0.1',
        targetBatchSize: '64',
        rule: 'linear',
        warmupEpochs: '1',
        stepsPerEpoch: '0',
      },
      /^--steps-per-epoch: must be a positive integer/,
    ],
  ])('rejects %j naming the option', (options, message) => {
    expect(() => runScale(options)).toThrow(ScaleInputError);
    expect(() => runScale(options)).toThrow(message);
  });
});

describe('registerScaleCommand', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it('prints the JSON on stdout', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const program = new Command().exitOverride();
    registerScaleCommand(program);
    await program.parseAsync(
      ['scale', '--batch-size', '64', '--lr', '0.1', '--target-batch-size', '128', '--rule', 'linear'],
      { from: 'user' },
    );
    expect(parse(String(out.mock.calls[0][0])).scaledLr).toBeCloseTo(0.2, 15);
    expect(process.exitCode).toBeUndefined();
  });

  it('prints bad input on stderr and sets exit code 2', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const program = new Command().exitOverride();
    registerScaleCommand(program);
    await program.parseAsync(
      ['scale', '--batch-size', '64', '--lr', '0.1', '--target-batch-size', '128', '--rule', 'cube'],
      { from: 'user' },
    );
    expect(String(err.mock.calls[0][0])).toMatch(/^athanor scale: --rule:/);
    expect(process.exitCode).toBe(2);
  });
});
