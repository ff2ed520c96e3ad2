import { type metrics, tuner } from '@athanor/contracts';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeMetrics, freePort } from '../testing/fake-metrics';
import { TrialUpdateReporter } from './trial-update-reporter';

const { TrialState } = tuner;

const update = (trialId: string, state: tuner.TrialState, objectiveValue?: number): metrics.TrialUpdate => ({
  studyId: 'study-1',
  trialId,
  state,
  objectiveValue,
  direction: tuner.ObjectiveDirection.OBJECTIVE_DIRECTION_MINIMIZE,
  time: new Date(),
});

const counter = async (registry: Registry, line: string): Promise<number> => {
  const text = await registry.metrics();
  const found = text.split('\n').find((l) => l.startsWith(line));
  return found ? Number(found.split(' ').pop()) : 0;
};

describe('TrialUpdateReporter', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const reporterFor = (address: string, registry: Registry, extra: { maxBuffered?: number } = {}) => {
    const reporter = new TrialUpdateReporter({
      address,
      source: 'tuner-test',
      registry,
      flushMillis: 60_000, // the test flushes
      maxReconnectBackoffMillis: 100,
      ...extra,
    });
    cleanups.push(() => reporter.close());
    return reporter;
  };

  it('sends updates batched in one stream, the newest state of each trial, oldest trial first', async () => {
    const fake = new FakeMetrics();
    cleanups.push(() => fake.stop());
    const registry = new Registry();
    const reporter = reporterFor(await fake.start(), registry);
    reporter.report([
      update('a', TrialState.TRIAL_STATE_RUNNING),
      update('b', TrialState.TRIAL_STATE_RUNNING),
    ]);
    reporter.report([update('a', TrialState.TRIAL_STATE_COMPLETED, 0.25)]);
    await reporter.flush();
    expect(fake.messages).toHaveLength(1);
    expect(fake.messages[0].source).toBe('tuner-test');
    expect(fake.updates.map((u) => [u.trialId, u.state, u.objectiveValue])).toEqual([
      ['b', TrialState.TRIAL_STATE_RUNNING, undefined],
      ['a', TrialState.TRIAL_STATE_COMPLETED, 0.25],
    ]);
    expect(await counter(registry, 'athanor_tuner_trial_updates_sent_total')).toBe(2);
  });

  it('never blocks while the metrics service is down, bounds what waits, and delivers it once it is back', async () => {
    const port = await freePort();
    const registry = new Registry();
    const reporter = reporterFor(`127.0.0.1:${port}`, registry, { maxBuffered: 3 });
    const started = performance.now();
    for (let i = 0; i < 5; i++) reporter.report([update(`t${i}`, TrialState.TRIAL_STATE_RUNNING)]);
    expect(performance.now() - started).toBeLessThan(20);
    await reporter.flush(); // fails: nothing listens
    reporter.report([update('t4', TrialState.TRIAL_STATE_FAILED)]);
    expect(await counter(registry, 'athanor_tuner_trial_updates_dropped_total{reason="buffer_full"}')).toBe(
      2,
    );

    const fake = new FakeMetrics();
    cleanups.push(() => fake.stop());
    await fake.start(port);
    // The channel reconnects on its own; each flush retries what waits.
    const deadline = Date.now() + 10_000;
    while (fake.updates.length === 0 && Date.now() < deadline) {
      await reporter.flush();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(fake.updates.map((u) => [u.trialId, u.state])).toEqual([
      ['t2', TrialState.TRIAL_STATE_RUNNING],
      ['t3', TrialState.TRIAL_STATE_RUNNING],
      ['t4', TrialState.TRIAL_STATE_FAILED],
    ]);
  });

  it('counts updates the metrics service rejects as dropped', async () => {
    const fake = new FakeMetrics();
    cleanups.push(() => fake.stop());
    const registry = new Registry();
    const reporter = reporterFor(await fake.start(0, [TrialState.TRIAL_STATE_PRUNED]), registry);
    reporter.report([update('a', TrialState.TRIAL_STATE_PRUNED), update('b', TrialState.TRIAL_STATE_QUEUED)]);
    await reporter.flush();
    expect(await counter(registry, 'athanor_tuner_trial_updates_dropped_total{reason="rejected"}')).toBe(1);
    expect(await counter(registry, 'athanor_tuner_trial_updates_sent_total')).toBe(1);
  });
});
