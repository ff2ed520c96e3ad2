import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileConfig, type RunningService } from '@athanor/service-kit';
import * as trainerService from '@athanor/trainer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const athanor = join(__dirname, '..', 'libs', 'cli', 'bin', 'athanor.js');

// Asynchronous: the trainer under test runs in this process and must keep serving.
function run(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [athanor, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('athanor train, runs and lr-find against a trainer', () => {
  let service: RunningService;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let yamlPath: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'athanor-cli-train-'));
    service = await trainerService.startTrainer(
      compileConfig(trainerService.configSchema, {
        ATHANOR_GRPC_PORT: '0',
        ATHANOR_HTTP_PORT: '0',
        ATHANOR_LOG_LEVEL: 'silent',
        ATHANOR_CHECKPOINT_DIR: join(dir, 'checkpoints'),
        ATHANOR_DATA_DIR: join(dir, 'data'),
      }),
    );
    env = { ATHANOR_TRAINER_ADDR: service.address };
    yamlPath = join(dir, 'run.yaml');
    writeFileSync(
      yamlPath,
      [
        'name: cli run',
        'model: { spec: { name: tiny, mlp: { widths: [16] } } }',
        'dataset: { synthetic: { exampleShape: [4, 4, 1], numClasses: 4, trainExamples: 256, validationExamples: 64, seed: 1 } }',
        'optimizer: { sgd: { momentum: 0.9 }, lr: 0.05 }',
        'scheduler: { cosineAnnealing: { tMax: 16 } }',
        'batchSize: 32',
        'epochs: 2',
        'seed: 3',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await service?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('trains from a YAML config with plain progress lines when stdout is not a terminal', async () => {
    const { code, stdout, stderr } = await run(['train', '--config', yamlPath], env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^run run-\w+/);
    expect(stdout).toMatch(/started on \w+ .*16 steps \(8 per epoch\), seed 3/);
    expect(stdout).toMatch(
      /epoch 1\/2 \[#+\.*\] step \d+\/16 loss \d\.\d{4} lr \d\.\d{2}e-\d .* samples\/s ETA/,
    );
    expect(stdout).toMatch(/epoch 2 done: train loss/);
    expect(stdout).toMatch(/validation at step 16: loss \d\.\d{4}, top-1/);
    expect(stdout).toMatch(/finished \(epochs done\) after 16 steps/);
    expect(stdout).not.toContain('\r');

    const runId = /^run (run-\w+)/.exec(stdout)![1];
    const ls = await run(['runs', 'ls', '--state', 'completed'], env);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toContain(runId);
    const show = await run(['runs', 'show', runId], env);
    expect(JSON.parse(show.stdout)).toMatchObject({ id: runId, state: 'RUN_STATE_COMPLETED', step: 16 });
    const watch = await run(['runs', 'watch', runId], env);
    expect(watch.stdout).toMatch(/finished \(epochs done\)/);
  });

  it('names a bad config field and exits non-zero', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ batchSize: 0 }));
    const { code, stderr } = await run(['train', '--config', bad], env);
    expect(code).toBe(1);
    expect(stderr).toMatch(/config\.batch_size/);
  });

  it('runs the LR range test and prints the chart and the suggestion', async () => {
    const { code, stdout } = await run(
      ['lr-find', '--config', yamlPath, '--min-lr', '1e-5', '--max-lr', '100', '--iterations', '50'],
      env,
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/smoothed loss over \d+ iterations, lr 1e-5 ->/);
    expect(stdout).toMatch(/suggested lr: +\S+/);
  });
});
