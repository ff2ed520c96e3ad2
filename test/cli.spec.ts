import { spawn } from 'node:child_process';
import { join } from 'node:path';
import * as metricsService from '@athanor/metrics';
import * as modelBuilderService from '@athanor/model-builder';
import { compileConfig, type RunningService } from '@athanor/service-kit';
import * as trainerService from '@athanor/trainer';
import * as tunerService from '@athanor/tuner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const athanor = join(__dirname, '..', 'libs', 'cli', 'bin', 'athanor.js');
const ephemeral = { ATHANOR_GRPC_PORT: '0', ATHANOR_HTTP_PORT: '0', ATHANOR_LOG_LEVEL: 'silent' };

// Asynchronous on purpose: the services under test run in this process and must keep serving.
function run(
  args: string[],
  env: NodeJS.ProcessEnv = {},
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

describe('athanor CLI', () => {
  let services: RunningService[] = [];
  beforeAll(async () => {
    services = await Promise.all([
      modelBuilderService.startModelBuilder(compileConfig(modelBuilderService.configSchema, ephemeral)),
      trainerService.startTrainer(compileConfig(trainerService.configSchema, ephemeral)),
      tunerService.startTuner(compileConfig(tunerService.configSchema, ephemeral)),
      metricsService.startMetrics(compileConfig(metricsService.configSchema, ephemeral)),
    ]);
  });
  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
  });

  const addrs = () => ({
    ATHANOR_MODEL_BUILDER_ADDR: services[0].address,
    ATHANOR_TRAINER_ADDR: services[1].address,
    ATHANOR_TUNER_ADDR: services[2].address,
    ATHANOR_METRICS_ADDR: services[3].address,
  });

  it('prints help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: athanor');
    expect(r.stdout).toContain('health');
    expect(r.stdout).toContain('up');
  });

  it('health: all four SERVING', async () => {
    const r = await run(['health', '--json'], addrs());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { service: string; status: string }[];
    expect(rows.map((x) => [x.service, x.status])).toEqual([
      ['model-builder', 'SERVING'],
      ['trainer', 'SERVING'],
      ['tuner', 'SERVING'],
      ['metrics', 'SERVING'],
    ]);
  });

  it('health: an unreachable service fails the check and is named', async () => {
    const r = await run(['health', '--timeout', '500'], { ...addrs(), ATHANOR_TUNER_ADDR: '127.0.0.1:1' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/tuner\s+127\.0\.0\.1:1\s+UNREACHABLE/);
    expect(r.stdout).toMatch(/trainer\s+\S+\s+SERVING/);
  });

  it('health: a bad option names itself', async () => {
    const r = await run(['health', '--timeout', 'soon'], addrs());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--timeout');
  });
});
