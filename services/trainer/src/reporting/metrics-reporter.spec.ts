import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { MetricsReporter } from './metrics-reporter';

const run = { runId: 'run-1', trialId: '', studyId: '' };
const report = (step: number) => ({
  step,
  epoch: 0,
  loss: 1,
  learningRates: [{ group: 'default', lr: 0.1 }],
  samplesPerSecond: 100,
  stepSeconds: 0.1,
  clipped: false,
});

describe('MetricsReporter', () => {
  it('never blocks when the metrics service is down: keeps points for retry and counts what it drops', async () => {
    const registry = new Registry();
    // Port 1 on loopback: nothing listens, every flush fails fast.
    const reporter = new MetricsReporter({
      address: '127.0.0.1:1',
      source: 'test',
      registry,
      maxBuffered: 10,
      flushMillis: 60_000,
    });
    const started = performance.now();
    for (let step = 1; step <= 5; step++) reporter.step(run, report(step), undefined); // 5 points a step
    expect(performance.now() - started).toBeLessThan(50);
    await reporter.flush();
    await reporter.close(200); // nothing listens: give up on the last delivery quickly
    const text = await registry.metrics();
    expect(text).toMatch(/athanor_trainer_metric_points_dropped_total\{reason="buffer_full"\} 15/);
  });
});
