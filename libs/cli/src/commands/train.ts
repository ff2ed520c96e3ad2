import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { ServiceError } from '@grpc/grpc-js';
import { trainer, training } from '@athanor/contracts';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { addressOf } from '../addresses';
import { connection } from '../connection';

/** A config file that cannot be used; the message names the file and the problem. */
export class ConfigFileError extends Error {
  override readonly name = 'ConfigFileError';
}

/** Reads a TrainConfig from proto3 JSON or YAML (by extension; other names are tried as JSON, then YAML). */
export function loadTrainConfig(
  path: string,
  read: (p: string) => string = (p) => readFileSync(p, 'utf8'),
): training.TrainConfig {
  let text: string;
  try {
    text = read(path);
  } catch (error) {
    throw new ConfigFileError(`--config: cannot read ${path}: ${(error as Error).message}`);
  }
  const ext = extname(path).toLowerCase();
  let data: unknown;
  try {
    data = ext === '.yaml' || ext === '.yml' ? parseYaml(text) : JSON.parse(text);
  } catch (jsonError) {
    if (ext === '.json')
      throw new ConfigFileError(`--config: ${path} is not valid JSON (${(jsonError as Error).message})`);
    try {
      data = parseYaml(text);
    } catch (yamlError) {
      throw new ConfigFileError(
        `--config: ${path} is neither JSON nor YAML (${(yamlError as Error).message})`,
      );
    }
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new ConfigFileError(`--config: ${path} must hold one TrainConfig object`);
  return training.TrainConfig.fromJSON(data);
}

/** What the progress display remembers between events. */
export interface ProgressState {
  totalSteps: number;
  stepsPerEpoch: number;
  epochs: number;
  /** Examples per step (training examples / steps per epoch), for the ETA. */
  batch: number;
  startedAt: number;
  lastPlainStep: number;
}

export function newProgressState(now = Date.now()): ProgressState {
  return { totalSteps: 0, stepsPerEpoch: 0, epochs: 0, batch: 0, startedAt: now, lastPlainStep: 0 };
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0
    ? `${h}h${String(m).padStart(2, '0')}m`
    : m > 0
      ? `${m}m${String(s % 60).padStart(2, '0')}s`
      : `${s}s`;
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

/**
 * One event as the user sees it. `tty`: a step redraws one progress line (returned with a leading
 * "\r"); otherwise a plain line every tenth of an epoch. Epochs, validations, checkpoints and the
 * outcome are always lines of their own. Returns undefined for events not shown.
 */
export function formatEvent(
  event: trainer.RunEvent,
  state: ProgressState,
  tty: boolean,
  now = Date.now(),
): string | undefined {
  const e = event.event;
  if (e === undefined) return undefined;
  switch (e.$case) {
    case 'started': {
      state.totalSteps = e.value.totalSteps;
      state.stepsPerEpoch = e.value.stepsPerEpoch;
      state.epochs = e.value.stepsPerEpoch > 0 ? Math.ceil(e.value.totalSteps / e.value.stepsPerEpoch) : 0;
      state.batch = e.value.stepsPerEpoch > 0 ? e.value.trainExamples / e.value.stepsPerEpoch : 0;
      state.startedAt = now;
      const resumed = e.value.resumedFrom ? `, resumed at step ${e.value.resumedFrom.step}` : '';
      return `started on ${e.value.backend} (${e.value.device}): ${e.value.trainExamples} training / ${e.value.validationExamples} validation examples, ${e.value.totalSteps} steps (${e.value.stepsPerEpoch} per epoch), seed ${e.value.seed}${resumed}`;
    }
    case 'step': {
      const s = e.value;
      const every = Math.max(1, Math.floor(state.stepsPerEpoch / 10));
      if (!tty && s.step - state.lastPlainStep < every) return undefined;
      state.lastPlainStep = s.step;
      const remaining = state.totalSteps - s.step;
      const eta =
        s.samplesPerSecond > 0 && state.batch > 0
          ? duration((remaining * state.batch) / s.samplesPerSecond)
          : '?';
      const lr = s.learningRates
        .map((g) => (s.learningRates.length > 1 ? `${g.group} ` : '') + g.lr.toExponential(2))
        .join(', ');
      const width = 20;
      const done =
        state.totalSteps > 0 ? Math.min(width, Math.round((s.step / state.totalSteps) * width)) : 0;
      const bar = `[${'#'.repeat(done)}${'.'.repeat(width - done)}]`;
      const line = `epoch ${s.epoch + 1}/${state.epochs || '?'} ${bar} step ${s.step}/${state.totalSteps} loss ${s.loss.toFixed(4)} lr ${lr} ${s.samplesPerSecond.toFixed(0)} samples/s ETA ${eta}`;
      return tty ? `\r\x1b[2K${line}` : line;
    }
    case 'epochSummary': {
      const s = e.value;
      return `${tty ? '\r\x1b[2K' : ''}epoch ${s.epoch + 1} done: train loss ${s.trainLoss.toFixed(4)}, top-1 ${pct(s.trainTop1)}, ${s.samplesPerSecond.toFixed(0)} samples/s, ${duration(s.epochSeconds)}`;
    }
    case 'validation': {
      const r = e.value.result!;
      const top5 = r.top5 !== undefined ? `, top-5 ${pct(r.top5)}` : '';
      return `${tty ? '\r\x1b[2K' : ''}validation at step ${r.step}: loss ${r.loss.toFixed(4)}, top-1 ${pct(r.top1)}${top5}${e.value.improved ? ' (best so far)' : ''}`;
    }
    case 'gradientReport': {
      const g = e.value;
      if (!g.vanishing && !g.exploding) return undefined;
      const layers = g.layers
        .filter((l) => l.vanishing || l.exploding)
        .map((l) => `${l.layer} ${l.gradientNorm.toExponential(2)}`);
      return `${tty ? '\r\x1b[2K' : ''}warning at step ${g.step}: ${g.exploding ? 'exploding' : 'vanishing'} gradients (${layers.join(', ')})`;
    }
    case 'checkpoint':
      return undefined;
    case 'finished': {
      const f = e.value;
      const v = f.finalValidation;
      const why = trainer
        .finishReasonToJSON(f.reason)
        .replace('FINISH_REASON_', '')
        .toLowerCase()
        .replace(/_/g, ' ');
      return `${tty ? '\r\x1b[2K' : ''}finished (${why}) after ${f.step} steps in ${duration(f.durationSeconds)}${v ? `: validation loss ${v.loss.toFixed(4)}, top-1 ${pct(v.top1)}` : ''}${f.finalCheckpoint ? `\ncheckpoint ${f.finalCheckpoint.uri}` : ''}`;
    }
    case 'failed':
      return `${tty ? '\r\x1b[2K' : ''}failed at step ${e.value.step}: ${e.value.reason}`;
    case 'cancelled':
      return `${tty ? '\r\x1b[2K' : ''}cancelled at step ${e.value.step}: ${e.value.reason}${e.value.lastCheckpoint ? `\ncheckpoint ${e.value.lastCheckpoint.uri}` : ''}`;
  }
}

export function trainerClient(env: NodeJS.ProcessEnv = process.env): trainer.TrainerServiceClient {
  const c = connection(env);
  return new trainer.TrainerServiceClient(addressOf('trainer', env), c.credentials, c.options);
}

/** Streams a run's events (from the beginning) to `write`; resolves with the terminal event's case. */
export function followRun(
  client: trainer.TrainerServiceClient,
  runId: string,
  write: (text: string) => void,
  tty: boolean,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const state = newProgressState();
    let outcome = 'unknown';
    let stepLine = false;
    const call = client.watchRun(trainer.WatchRunRequest.fromPartial({ runId, replay: true }));
    call.on('data', (r: trainer.WatchRunResponse) => {
      const text = formatEvent(r.event!, state, tty);
      const c = r.event?.event?.$case;
      if (c === 'finished' || c === 'failed' || c === 'cancelled') outcome = c;
      if (text === undefined) return;
      if (tty && c === 'step') {
        write(text);
        stepLine = true;
      } else {
        write(`${stepLine && !text.startsWith('\r') ? '\n' : ''}${text}\n`);
        stepLine = false;
      }
    });
    call.on('end', () => resolve(outcome));
    call.on('error', (e: ServiceError) => reject(new Error(`WatchRun: ${e.details || e.message}`)));
  });
}

export function unaryCall<Req, Res>(
  fn: (req: Req, cb: (e: ServiceError | null, r: Res) => void) => unknown,
  req: Req,
): Promise<Res> {
  return new Promise((resolve, reject) =>
    fn(req, (e, r) => (e ? reject(new Error(e.details || e.message)) : resolve(r))),
  );
}

export interface TrainOptions {
  config?: string;
  detach?: boolean;
  resume?: string;
}

export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description('start a training run from a TrainConfig file (JSON or YAML) and follow its progress')
    .option('--config <file>', 'TrainConfig as proto3 JSON or YAML')
    .option('--resume <checkpoint-uri>', 'continue from a checkpoint (file://... as a run reports it)')
    .option('--detach', 'print the run id and return instead of following the run')
    .action(async (opts: TrainOptions) => {
      if (opts.config === undefined) {
        process.stderr.write('athanor train: --config: is required\n');
        process.exitCode = 2;
        return;
      }
      let config: training.TrainConfig;
      try {
        config = loadTrainConfig(opts.config);
      } catch (error) {
        if (!(error instanceof ConfigFileError)) throw error;
        process.stderr.write(`athanor train: ${error.message}\n`);
        process.exitCode = 2;
        return;
      }
      const client = trainerClient();
      try {
        const started = await unaryCall<trainer.StartRunRequest, trainer.StartRunResponse>(
          (r, cb) => client.startRun(r, cb),
          trainer.StartRunRequest.fromPartial({
            config,
            ...(opts.resume ? { resumeFrom: { uri: opts.resume } } : {}),
          }),
        );
        process.stdout.write(
          `run ${started.runId}${started.queuePosition > 0 ? ` queued (position ${started.queuePosition})` : ''}\n`,
        );
        if (opts.detach) return;
        const outcome = await followRun(
          client,
          started.runId,
          (t) => process.stdout.write(t),
          process.stdout.isTTY === true,
        );
        if (outcome !== 'finished') process.exitCode = 1;
      } catch (error) {
        process.stderr.write(`athanor train: ${(error as Error).message}\n`);
        process.exitCode = 1;
      } finally {
        client.close();
      }
    });
}
