import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { training } from '@athanor/contracts';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, expectedPlots, launchChromium, renderReport } from './support/report-page';

// `athanor quickstart` (what `npm start` runs) as a user runs it: a process that starts the four
// services and two trainer workers, runs a study against them over gRPC and writes the report.
const athanor = join(__dirname, '..', 'libs', 'cli', 'bin', 'athanor.js');

function quickstart(args: string[], cwd: string, timeoutMs: number) {
  return new Promise<{ code: number | null; stdout: string; stderr: string; seconds: number }>((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [athanor, 'quickstart', '--exit', ...args], { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGINT'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 });
    });
  });
}

interface StudyJson {
  study: { study: { state: string }; bestTrial?: { id: string } };
  trials: {
    trial: { id: string; state: string; runId: string; workerId: string; parameters: unknown };
    series: { name: string; layer?: string; points?: unknown[] }[];
  }[];
  lrRangeTest?: { points: unknown[]; suggested: number };
}

function reportOf(stdout: string) {
  const page = /report: (.+index\.html)/.exec(stdout)?.[1];
  expect(page, stdout).toBeDefined();
  const dir = join(page!, '..');
  return { page: page!, dir, study: JSON.parse(readFileSync(join(dir, 'study.json'), 'utf8')) as StudyJson };
}

describe('athanor quickstart', () => {
  let browser: Browser | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'athanor-quickstart-'));

  beforeAll(async () => {
    if (browserAvailable) browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a study file with two workers and writes the report, metrics and best configuration', async () => {
    const study = join(__dirname, 'fixtures', 'tiny-study.yaml');
    const r = await quickstart(
      ['--study', study, '--output', join(dir, 'out'), '--workers', '2'],
      dir,
      170_000,
    );
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/study completed/);
    const report = reportOf(r.stdout);
    for (const file of ['index.html', 'study.json', 'trials.csv', 'series.csv', 'best-config.json'])
      expect(existsSync(join(report.dir, file)), file).toBe(true);

    expect(report.study.study.study.state).toBe('STUDY_STATE_COMPLETED');
    expect(report.study.trials).toHaveLength(4);
    // Six points in the space, four trials: no configuration trained twice.
    expect(new Set(report.study.trials.map((t) => JSON.stringify(t.trial.parameters))).size).toBe(4);
    for (const t of report.study.trials) {
      expect(['TRIAL_STATE_COMPLETED', 'TRIAL_STATE_PRUNED']).toContain(t.trial.state);
      // What the workers streamed reached the metrics service, run by run.
      const names = new Set(t.series.filter((s) => (s.points?.length ?? 0) > 0).map((s) => s.name));
      for (const name of ['train_loss', 'lr', 'val_loss', 'val_top1'])
        expect(names, `trial #${t.trial.id}: ${name}`).toContain(name);
      expect(t.series.some((s) => s.name === 'grad_norm' && s.layer)).toBe(true);
    }
    // The best configuration is what the best trial trained: the LR by the linear rule from batch 32.
    const best = training.TrainConfig.fromJSON(
      JSON.parse(readFileSync(join(report.dir, 'best-config.json'), 'utf8')),
    );
    expect([16, 32, 64]).toContain(best.batchSize);
    expect(best.optimizer!.lr).toBeCloseTo((0.05 * best.batchSize) / 32, 10);
    // Trials ran on the quick start's workers (which of the two is a race; the fault test pins that).
    for (const t of report.study.trials) expect(t.trial.workerId).toMatch(/^worker-[12]-/);

    if (browser) {
      const rendered = await renderReport(browser, report.page, 'quickstart-tiny-report.png');
      expect(rendered.plots.map((p) => p.id).sort()).toEqual(expectedPlots(false).sort());
      for (const p of rendered.plots) expect(p.marks, `${p.id} has data`).toBeGreaterThan(0);
      expect(rendered.errors).toEqual([]);
      expect(rendered.requests).toEqual([]);
    }
  }, 180_000);

  it('names a bad option or study file and starts nothing', async () => {
    const r = await quickstart(['--workers', '0'], dir, 20_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--workers: must be an integer in \[1, 64\], got 0/);
    const bad = join(dir, 'bad-study.yaml');
    writeFileSync(bad, 'name: [1\n');
    const r2 = await quickstart(['--study', bad], dir, 20_000);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/--study .*bad-study\.yaml: not valid JSON or YAML/);
    expect(r2.stdout).not.toMatch(/serving/);
  });

  // The main job itself (`npm start -- --exit`): Fashion-MNIST, the LR range test and the full
  // study. Minutes long, so behind a flag that .ci/run sets.
  it.runIf(process.env.ATHANOR_TEST_QUICKSTART === '1')(
    'npm start -- --exit: finishes the Fashion-MNIST study within 10 minutes and the report renders',
    async () => {
      const root = join(__dirname, '..');
      const r = await quickstart(['--output', join(dir, 'main')], root, 900_000);
      process.stdout.write(`quickstart took ${r.seconds.toFixed(0)} s\n${r.stdout.slice(-1500)}\n`);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      // Not asserted (a shared machine's wall time is noise); the closing note quotes it.
      const report = reportOf(r.stdout);
      expect(report.study.lrRangeTest?.points.length).toBeGreaterThan(10);
      expect(report.study.trials.length).toBe(10);
      expect(r.stdout).toMatch(/best: trial #\d+ val_top1 0\.\d+/);
      if (browser) {
        const rendered = await renderReport(browser, report.page, 'quickstart-report.png');
        expect(rendered.plots.map((p) => p.id).sort()).toEqual(expectedPlots(true).sort());
        for (const p of rendered.plots) expect(p.marks, `${p.id} has data`).toBeGreaterThan(0);
        expect(rendered.errors).toEqual([]);
      }
    },
    900_000,
  );
});
