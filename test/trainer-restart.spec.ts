import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { trainer } from '@athanor/contracts';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { unary } from './support/clients';
import { ServiceProcess } from './support/process';
import { tinyConfig } from './support/tiny-config';

const { RunState } = trainer;
const main = join(__dirname, '..', 'services', 'trainer', 'dist', 'main.js');

const dir = mkdtempSync(join(tmpdir(), 'athanor-trainer-restart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = {
  ATHANOR_GRPC_PORT: '0',
  ATHANOR_HTTP_PORT: '0',
  ATHANOR_LOG_LEVEL: 'info',
  ATHANOR_MAX_CONCURRENT_RUNS: '1',
  ATHANOR_CHECKPOINT_DIR: join(dir, 'checkpoints'),
  ATHANOR_DATA_DIR: join(dir, 'data'),
};

/** A run's events from the start (WatchRun with replay) until the terminal one; `onEvent` sees each. */
function watch(
  client: trainer.TrainerServiceClient,
  runId: string,
  onEvent?: (e: trainer.RunEvent) => void,
): Promise<trainer.RunEvent[]> {
  return new Promise((resolve, reject) => {
    const events: trainer.RunEvent[] = [];
    const call = client.watchRun(
      trainer.WatchRunRequest.fromPartial({ runId, replay: true, excludeSteps: true }),
    );
    call.on('data', (r: trainer.WatchRunResponse) => {
      events.push(r.event!);
      onEvent?.(r.event!);
    });
    call.on('end', () => resolve(events));
    call.on('error', reject);
  });
}

describe('trainer: kill -9, then a new trainer on the same directories', () => {
  let proc: ServiceProcess | undefined;
  afterEach(() => {
    proc?.child.kill('SIGKILL');
  });

  it('lists the interrupted run and finishes it from its checkpoint', async () => {
    // 8 steps an epoch, 20 epochs (long enough to be killed halfway); a checkpoint every 4 steps.
    const config = tinyConfig({ epochs: 20, checkpoint: { everyNSteps: 4, keepLast: 2 } });
    proc = new ServiceProcess(main, env);
    let client = new trainer.TrainerServiceClient(
      (await proc.waitFor('serving')).grpc as string,
      grpc.credentials.createInsecure(),
    );
    const finished = await unary(
      client.startRun.bind(client),
      trainer.StartRunRequest.fromPartial({ config }),
    );
    await watch(client, finished.runId);
    const { runId } = await unary(
      client.startRun.bind(client),
      trainer.StartRunRequest.fromPartial({ config }),
    );
    let killedAt: trainer.RunEvent | undefined;
    const killed = proc;
    await new Promise<void>((resolve) => {
      watch(client, runId, (e) => {
        if (e.event?.$case !== 'checkpoint' || e.event.value.checkpoint!.step < 12 || killedAt) return;
        killedAt = e;
        killed.child.kill('SIGKILL');
        resolve();
      }).catch(() => undefined); // the stream breaks when the process dies
    });
    expect((await killed.exited).signal).toBe('SIGKILL');
    client.close();

    proc = new ServiceProcess(main, env);
    client = new trainer.TrainerServiceClient(
      (await proc.waitFor('serving')).grpc as string,
      grpc.credentials.createInsecure(),
    );
    const listed = await unary(client.listRuns.bind(client), trainer.ListRunsRequest.fromPartial({}));
    expect(listed.runs.map((r) => r.id)).toEqual([runId, finished.runId]);
    expect(listed.runs[1].state).toBe(RunState.RUN_STATE_COMPLETED);
    // Queued again at start; by now it may be training or done.
    expect([RunState.RUN_STATE_QUEUED, RunState.RUN_STATE_RUNNING, RunState.RUN_STATE_COMPLETED]).toContain(
      listed.runs[0].state,
    );

    const events = await watch(client, runId);
    const { run } = await unary(client.getRun.bind(client), trainer.GetRunRequest.fromPartial({ runId }));
    expect(run!.state).toBe(RunState.RUN_STATE_COMPLETED);
    expect(run!.step).toBe(160);
    expect(run!.resumedFrom!.step).toBeGreaterThanOrEqual(12);
    expect(run!.createdAt).toEqual(listed.runs[0].createdAt);
    // One event history across both processes: the killed trainer's events, then a second
    // `started` saying where training resumed, then the rest to `finished`.
    expect(events.some((e) => e.sequence === killedAt!.sequence)).toBe(true);
    const started = events.filter((e) => e.event?.$case === 'started');
    expect(started).toHaveLength(2);
    expect(started[1].event?.$case === 'started' && started[1].event.value.resumedFrom?.runId).toBe(runId);
    expect(events.every((e, i) => i === 0 || e.sequence > events[i - 1].sequence)).toBe(true);
    expect(events.at(-1)?.event?.$case).toBe('finished');
    client.close();
  });
});
