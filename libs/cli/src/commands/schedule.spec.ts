import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerScheduleCommand, runSchedule, ScheduleInputError } from './schedule';

// Reference values printed by PyTorch 1.13 (Debian python3-torch) for the same schedule at lr 0.1
// (0.0 where PyTorch prints exactly zero), scheduler stepped after each optimizer step.
const TORCH_LINEAR_THEN_COSINE = [
  0.010000000000000002, 0.04, 0.07, 0.1, 0.08535533905932738, 0.05, 0.014644660940672627, 0.0,
];
const TORCH_PLATEAU = [0.1, 0.1, 0.1, 0.1, 0.05, 0.05];
const TORCH_ONE_CYCLE = [
  0.040000000000000036, 0.9504846320134737, 0.6112620219362893, 0.18825834605023697, 4e-6,
];

function expectClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) =>
    expect(Math.abs(a - expected[i]), `step ${i}: ${a} vs ${expected[i]}`).toBeLessThanOrEqual(
      Math.max(1e-9 * Math.abs(expected[i]), 1e-12),
    ),
  );
}

const parse = (out: string): number[] => JSON.parse(out) as number[];

describe('runSchedule', () => {
  it('prints one JSON array matching PyTorch', () => {
    const spec = JSON.stringify({
      sequential: {
        schedulers: [{ linear: { startFactor: 0.1, totalIters: 3 } }, { cosineAnnealing: { tMax: 4 } }],
        milestones: [3],
      },
    });
    const out = runSchedule({ lr: '0.1', spec, steps: '8' });
    expect(out.startsWith('[') && !out.includes('\n')).toBe(true);
    expectClose(parse(out), TORCH_LINEAR_THEN_COSINE);
  });

  it('feeds --metrics to reduceOnPlateau', () => {
    const out = runSchedule({
      lr: '0.1',
      spec: '{"reduceOnPlateau":{"patience":1,"factor":0.5}}',
      steps: '6',
      metrics: '1.0, 0.9,0.9,0.9,0.9,0.9',
    });
    expectClose(parse(out), TORCH_PLATEAU);
  });

  it('runs oneCycle from its own maxLr', () => {
    expectClose(
      parse(runSchedule({ lr: '0.1', spec: '{"oneCycle":{"maxLr":1.0,"totalSteps":5}}', steps: '5' })),
      TORCH_ONE_CYCLE,
    );
  });

  it('prints [] for zero steps', () => {
    expect(runSchedule({ lr: '0.1', spec: '{"exponential":{"gamma":0.9}}', steps: '0' })).toBe('[]');
  });

  it.each([
    [{ spec: '{"step":{"stepSize":3}}', steps: '3' }, /^--lr: is required/],
    [{ lr: 'abc', spec: '{"step":{"stepSize":3}}', steps: '3' }, /^--lr: must be a number >= 0, got "abc"/],
    [{ lr: '0x10', spec: '{"step":{"stepSize":3}}', steps: '3' }, /^--lr: must be a number/],
    [{ lr: '-0.1', spec: '{"step":{"stepSize":3}}', steps: '3' }, /^--lr: must be a number >= 0/],
    [{ lr: '0.1', spec: '{"step":{"stepSize":3}}' }, /^--steps: is required/],
    [{ lr: '0.1', spec: '{"step":{"stepSize":3}}', steps: '-5' }, /^--steps: must be an integer from 0/],
    [{ lr: '0.1', spec: '{"step":{"stepSize":3}}', steps: '2.5' }, /^--steps: must be an integer/],
    [{ lr: '0.1', steps: '3' }, /^--spec: is required/],
    [{ lr: '0.1', spec: '{step:', steps: '3' }, /^--spec: is not valid JSON/],
    [
      { lr: '0.1', spec: '{"cyclic":{}}', steps: '3' },
      /^--spec: spec\.cyclic: unknown scheduler kind 'cyclic'/,
    ],
    [
      { lr: '0.1', spec: '{"reduceOnPlateau":{"factor":2}}', steps: '3', metrics: '1,2,3' },
      /^--spec: spec\.reduceOnPlateau\.factor: must be < 1/,
    ],
    [
      { lr: '0.1', spec: '{"oneCycle":{"maxLr":0.1,"totalSteps":5}}', steps: '7' },
      /^--spec: spec\.oneCycle\.totalSteps: tried to step 7 times/,
    ],
    [
      { lr: '0.1', spec: '{"reduceOnPlateau":{}}', steps: '5', metrics: '1,2' },
      /^--metrics: reduceOnPlateau needs one metric after each step/,
    ],
    [
      { lr: '0.1', spec: '{"reduceOnPlateau":{}}', steps: '2', metrics: '1,x' },
      /^--metrics: value 2 is not a number: "x"/,
    ],
    [
      { lr: '0.1', spec: '{"step":{"stepSize":3}}', steps: '2', metrics: '1,2' },
      /^--metrics: only reduceOnPlateau reads a metric/,
    ],
  ])('rejects %j naming the option', (options, message) => {
    expect(() => runSchedule(options)).toThrow(ScheduleInputError);
    expect(() => runSchedule(options)).toThrow(message);
  });

  it('draws warm-up and decay with --plot', () => {
    const spec = JSON.stringify({
      sequential: {
        schedulers: [{ linear: { startFactor: 0.1, totalIters: 10 } }, { cosineAnnealing: { tMax: 90 } }],
        milestones: [10],
      },
    });
    const chart = runSchedule({ lr: '0.1', spec, steps: '100', plot: true });
    const lines = chart.split('\n');
    expect(lines[0]).toBe('sequential from lr 0.1, 100 steps');
    expect(lines.at(-1)).toBe('start 0.01 · peak 0.1 at step 10 · end 3.05e-5 at step 99');
    expect(chart).toContain('0.1 ┤');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(72);
  });
});

describe('registerScheduleCommand', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  function run(args: string[]): { stdout: string; stderr: string } {
    let stdout = '';
    let stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation(
      (chunk: string | Uint8Array) => ((stdout += String(chunk)), true),
    );
    vi.spyOn(process.stderr, 'write').mockImplementation(
      (chunk: string | Uint8Array) => ((stderr += String(chunk)), true),
    );
    const program = new Command('athanor').exitOverride();
    registerScheduleCommand(program);
    program.parse(['node', 'athanor', 'schedule', ...args]);
    return { stdout, stderr };
  }

  it('prints the array on stdout', () => {
    const { stdout, stderr } = run(['--lr', '0.1', '--spec', '{"step":{"stepSize":2}}', '--steps', '3']);
    expect(stderr).toBe('');
    expect(process.exitCode).toBeUndefined();
    expectClose(parse(stdout), [0.1, 0.1, 0.010000000000000002]);
    expect(stdout.endsWith(']\n')).toBe(true);
  });

  it('sets exit code 2 and explains on stderr for bad input', () => {
    const { stdout, stderr } = run(['--lr', 'fast', '--spec', '{"step":{"stepSize":2}}', '--steps', '3']);
    expect(stdout).toBe('');
    expect(stderr).toBe('athanor schedule: --lr: must be a number >= 0, got "fast"\n');
    expect(process.exitCode).toBe(2);
  });
});
