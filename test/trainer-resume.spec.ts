import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { trainer, training } from '@athanor/contracts';
import { compileConfig, type RunningService } from '@athanor/service-kit';
import * as trainerService from '@athanor/trainer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unary } from './support/clients';
import { ServiceProcess } from './support/process';

const config = training.TrainConfig.fromJSON({
  name: 'resume',
  model: {
    spec: {
      name: 'cnn',
      cnn: {
        stages: [
          { name: 'stage0', block: { channels: 4, pooling: { kind: 'POOLING_KIND_MAX' } } },
          {
            name: 'stage1',
            block: { channels: 8, pooling: { kind: 'POOLING_KIND_MAX' }, dropout: 0.25 },
          },
        ],
        globalAveragePool: false,
        // Dropout draws its masks from the run's seed, and the checkpoint keeps each site's position.
        head: { hiddenUnits: [16], dropout: 0.2 },
      },
    },
  },
  dataset: {
    synthetic: {
      exampleShape: [8, 8, 1],
      numClasses: 4,
      trainExamples: 256,
      validationExamples: 64,
      seed: 4,
    },
  },
  optimizer: { sgd: { momentum: 0.9, weightDecay: 5e-4 }, lr: 0.05 },
  scheduler: { oneCycle: { maxLr: 0.1, totalSteps: 48 } },
  batchSize: 16,
  epochs: 3,
  seed: 11,
  checkpoint: { everyNSteps: 3, keepLast: 0 },
});

/** The tensors of a checkpoint file (weights and optimizer state), without its header (ids, times). */
function checkpointData(uri: string): Buffer {
  const bytes = readFileSync(fileURLToPath(uri));
  const headerLength = bytes.readUInt32LE(8);
  return bytes.subarray(12 + headerLength);
}

function events(
  client: trainer.TrainerServiceClient,
  runId: string,
  onEvent?: (e: trainer.RunEvent) => void,
): Promise<trainer.RunEvent[]> {
  return new Promise((resolve, reject) => {
    const all: trainer.RunEvent[] = [];
    const call = client.watchRun(
      trainer.WatchRunRequest.fromPartial({ runId, replay: true, excludeSteps: true }),
    );
    call.on('data', (r: trainer.WatchRunResponse) => {
      all.push(r.event!);
      onEvent?.(r.event!);
    });
    call.on('end', () => resolve(all));
    call.on('error', reject);
  });
}

describe('trainer: kill -9 mid-run, resume from the checkpoint', () => {
  let dir: string;
  let service: RunningService;
  let client: trainer.TrainerServiceClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'athanor-resume-'));
    service = await trainerService.startTrainer(
      compileConfig(trainerService.configSchema, {
        ATHANOR_GRPC_PORT: '0',
        ATHANOR_HTTP_PORT: '0',
        ATHANOR_LOG_LEVEL: 'silent',
        ATHANOR_CHECKPOINT_DIR: join(dir, 'checkpoints'),
        ATHANOR_DATA_DIR: join(dir, 'data'),
      }),
    );
    client = new trainer.TrainerServiceClient(service.address, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    await service?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reaches the same final weights and optimizer state as an uninterrupted run', async () => {
    // The reference: one uninterrupted run.
    const full = await unary(client.startRun.bind(client), trainer.StartRunRequest.fromPartial({ config }));
    const fullEvents = await events(client, full.runId);
    const fullEnd = fullEvents.at(-1)!.event!;
    expect(fullEnd.$case).toBe('finished');
    if (fullEnd.$case !== 'finished') return;

    // The same run in a trainer process that is killed (SIGKILL) after its second checkpoint.
    const proc = new ServiceProcess(join(__dirname, '..', 'services', 'trainer', 'dist', 'main.js'), {
      ATHANOR_GRPC_PORT: '0',
      ATHANOR_HTTP_PORT: '0',
      ATHANOR_LOG_LEVEL: 'info',
      // Shared storage, as a volume both trainers mount (checkpoints must lie inside the root).
      ATHANOR_CHECKPOINT_DIR: join(dir, 'checkpoints'),
      ATHANOR_DATA_DIR: join(dir, 'data'),
    });
    let kept: training.CheckpointRef | undefined;
    try {
      const serving = await proc.waitFor('serving');
      const remote = new trainer.TrainerServiceClient(
        serving.grpc as string,
        grpc.credentials.createInsecure(),
      );
      const started = await unary(
        remote.startRun.bind(remote),
        trainer.StartRunRequest.fromPartial({ config }),
      );
      await new Promise<void>((resolve) => {
        let checkpoints = 0;
        events(remote, started.runId, (e) => {
          if (e.event?.$case !== 'checkpoint' || ++checkpoints < 2) return;
          kept = e.event.value.checkpoint;
          proc.child.kill('SIGKILL');
          resolve();
        }).catch(() => undefined); // the stream breaks when the process dies
      });
      expect((await proc.exited).signal).toBe('SIGKILL');
      remote.close();
    } finally {
      proc.child.kill('SIGKILL');
    }
    expect(kept!.step).toBe(6);
    // Every checkpoint file left behind is complete (written to a temporary name, then renamed).
    const killedDir = join(dir, 'checkpoints', kept!.runId);
    for (const f of readdirSync(killedDir))
      if (f.endsWith('.ckpt'))
        expect(checkpointData(`file://${join(killedDir, f)}`).length).toBeGreaterThan(0);

    // Resume in another trainer (this one) from the checkpoint the killed run reported.
    const resumed = await unary(
      client.startRun.bind(client),
      trainer.StartRunRequest.fromPartial({ config, resumeFrom: kept }),
    );
    const resumedEvents = await events(client, resumed.runId);
    const end = resumedEvents.at(-1)!.event!;
    expect(end.$case).toBe('finished');
    if (end.$case !== 'finished') return;
    expect(end.value.step).toBe(fullEnd.value.step);
    expect(end.value.finalValidation).toEqual(fullEnd.value.finalValidation);
    expect(
      checkpointData(end.value.finalCheckpoint!.uri).equals(
        checkpointData(fullEnd.value.finalCheckpoint!.uri),
      ),
    ).toBe(true);
  });
});
