import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { tuner } from '@athanor/contracts';
import { compileConfig } from '@athanor/service-kit';
import * as tunerService from '@athanor/tuner';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { unary } from './support/clients';
import { ServiceProcess } from './support/process';
import { TestWorker } from './support/tuner-worker';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const freshDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'athanor-tuner-restart-'));
  dirs.push(d);
  return d;
};

const env = (dir: string) => ({
  ATHANOR_GRPC_PORT: '0',
  ATHANOR_HTTP_PORT: '0',
  ATHANOR_LOG_LEVEL: 'info',
  ATHANOR_DATA_DIR: dir,
});

const spec = tuner.StudySpec.fromJSON({
  name: 'durable',
  objective: { metric: 'val_loss' },
  baseConfig: { dataset: { builtin: 'mnist' }, optimizer: { lr: 0.1 }, batchSize: 64, epochs: 2 },
  searchSpace: { parameters: [{ name: 'optimizer.lr', doubleRange: { low: 1e-4, high: 1, log: true } }] },
  algorithm: { tpe: {}, seed: 3 },
  budget: { maxTrials: 10, maxParallelTrials: 3 },
});

/** Acknowledged work: a study, one completed trial, one running trial with a checkpoint and values. */
async function doWork(address: string) {
  const client = new tuner.TunerServiceClient(address, grpc.credentials.createInsecure());
  const { study } = await unary(client.createStudy.bind(client), { spec, requestId: 'key-1' });
  const w = new TestWorker(address, 'w1');
  const [a, b] = (await w.suggest(study!.id, 2)).assignments;
  await w.complete(a, { $case: 'completed', value: { objectiveValue: 0.25, metrics: { val_top1: 0.9 } } });
  await w.report(b, 1, 0.8);
  await w.report(b, 2, 0.6);
  await w.heartbeat(b, 2, 'file:///ckpt/b/2');
  client.close();
  return { study: study!, completed: a, running: b, worker: w };
}

async function checkWork(address: string, work: Awaited<ReturnType<typeof doWork>>) {
  const client = new tuner.TunerServiceClient(address, grpc.credentials.createInsecure());
  const got = await unary(
    client.getStudy.bind(client),
    tuner.GetStudyRequest.fromPartial({ studyId: work.study.id, includeIntermediateValues: true }),
  );
  expect(got.study!.trialCounts).toMatchObject({ completed: 1, running: 1 });
  expect(got.study!.bestValue).toBe(0.25);
  expect(got.bestTrial!.metrics).toEqual({ val_top1: 0.9 });
  // The same idempotency key finds the same study.
  const again = await unary(client.createStudy.bind(client), { spec, requestId: 'key-1' });
  expect(again.study!.id).toBe(work.study.id);
  // The running trial's lease still holds, with its values and checkpoint: the worker carries on.
  const w = new TestWorker(address, 'w1');
  const r = await w.report(work.running, 3, 0.5);
  expect(r.shouldPrune).toBe(false);
  const done = await w.complete(work.running, {
    $case: 'completed',
    value: { objectiveValue: 0.5, metrics: {} },
  });
  expect(done.trial!.checkpoint).toMatchObject({ uri: 'file:///ckpt/b/2' });
  const steps = await unary(
    client.getStudy.bind(client),
    tuner.GetStudyRequest.fromPartial({
      studyId: work.study.id,
      includeIntermediateValues: true,
      leaderboardSize: 5,
    }),
  );
  const trial = steps.leaderboard.find((t) => t.id === work.running.trial!.id)!;
  expect(trial.intermediateValues.map((v) => [v.step, v.value])).toEqual([
    [1, 0.8],
    [2, 0.6],
    [3, 0.5],
  ]);
  w.close();
  client.close();
}

describe('tuner restarts lose nothing acknowledged', () => {
  let proc: ServiceProcess | undefined;
  afterEach(() => {
    proc?.child.kill('SIGKILL');
  });

  it('stop and start on the same SQLite file', async () => {
    const dir = freshDir();
    const first = await tunerService.startTuner(
      compileConfig(tunerService.configSchema, { ...env(dir), ATHANOR_LOG_LEVEL: 'silent' }),
    );
    const work = await doWork(first.address);
    work.worker.close();
    await first.stop();
    const second = await tunerService.startTuner(
      compileConfig(tunerService.configSchema, { ...env(dir), ATHANOR_LOG_LEVEL: 'silent' }),
    );
    await checkWork(second.address, work);
    await second.stop();
  });

  it('kill -9 of a tuner process, then a new one on the same data directory', async () => {
    const dir = freshDir();
    const main = join(dirname(require.resolve('@athanor/tuner')), 'main.js');
    proc = new ServiceProcess(main, env(dir));
    const work = await doWork((await proc.waitFor('serving')).grpc as string);
    work.worker.close();
    proc.child.kill('SIGKILL');
    expect((await proc.exited).signal).toBe('SIGKILL');
    proc = new ServiceProcess(main, env(dir));
    await checkWork((await proc.waitFor('serving')).grpc as string, work);
  });
});
