import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { tuner } from '@athanor/contracts';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { addressOf } from '../addresses';
import { connection } from '../connection';

/** A study file the CLI cannot use; the message says why. */
export class StudyFileError extends Error {
  override readonly name = 'StudyFileError';
}

/** A StudySpec from a file's text: its proto3 JSON form, written as JSON or YAML. */
export function parseStudyFile(text: string): tuner.StudySpec {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new StudyFileError(`not valid JSON or YAML: ${(err as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw new StudyFileError('expected a StudySpec object (name, objective, searchSpace, baseConfig, ...)');
  return tuner.StudySpec.fromJSON(doc);
}

const STATE = (s: tuner.TrialState) => tuner.trialStateToJSON(s).replace('TRIAL_STATE_', '').toLowerCase();
const STUDY_STATE = (s: tuner.StudyState) =>
  tuner.studyStateToJSON(s).replace('STUDY_STATE_', '').toLowerCase();
const fmt = (x: number | undefined) => (x === undefined ? '-' : String(Number(x.toPrecision(6))));

function paramText(p: Record<string, tuner.ParameterValue>): string {
  return Object.entries(p)
    .map(
      ([k, v]) =>
        `${k}=${typeof v.value?.value === 'number' ? fmt(v.value.value) : String(v.value?.value ?? '')}`,
    )
    .join(' ');
}

/** `athanor study show`: the state, the best trial, the leaderboard, importances and the scaling report. */
export function formatStudy(r: tuner.GetStudyResponse): string {
  const s = r.study!;
  const c = s.trialCounts!;
  const lines = [
    `study ${s.id} (${s.spec?.name || 'unnamed'}): ${STUDY_STATE(s.state)}${s.stopReason ? ` (${s.stopReason})` : ''}`,
    `trials: ${c.queued} queued, ${c.running} running, ${c.completed} completed, ${c.pruned} pruned, ${c.failed} failed, ${c.infeasible} infeasible`,
  ];
  if (r.bestTrial)
    lines.push(
      `best: trial #${r.bestTrial.number} ${fmt(r.bestTrial.objectiveValue)}  ${paramText(r.bestTrial.parameters)}`,
    );
  if (r.leaderboard.length) {
    lines.push('', 'rank  trial  value       parameters');
    r.leaderboard.forEach((t, i) =>
      lines.push(
        `${String(i + 1).padEnd(5)} #${String(t.number).padEnd(5)} ${fmt(t.objectiveValue).padEnd(11)} ${paramText(t.parameters)}`,
      ),
    );
  }
  if (r.importances.length) {
    lines.push('', `importance (${r.importanceMethod})`);
    for (const p of r.importances)
      lines.push(
        `${p.parameter.padEnd(28)} ${'#'.repeat(Math.round(p.importance * 30)).padEnd(30)} ${p.importance.toFixed(3)}`,
      );
  }
  if (r.scalingReport.length) {
    lines.push('', 'batch  lr          trials  best        median      gap');
    for (const b of r.scalingReport)
      lines.push(
        `${String(b.batchSize).padEnd(6)} ${fmt(b.scaledLr).padEnd(11)} ${String(b.trials).padEnd(7)} ${fmt(b.bestValue).padEnd(11)} ${fmt(b.medianValue).padEnd(11)} ${fmt(b.gapToReference)}`,
      );
  }
  return lines.join('\n');
}

/** One line per event, for `athanor study watch` when stdout is not a terminal. */
export function formatEvent(e: tuner.StudyEvent): string {
  const head = `${e.time?.toISOString() ?? ''} #${e.sequence}`;
  const ev = e.event;
  switch (ev?.$case) {
    case 'studyUpdated':
      return `${head} study ${STUDY_STATE(ev.value.state)}${ev.value.stopReason ? ` (${ev.value.stopReason})` : ''}`;
    case 'trialUpdated':
      return `${head} trial #${ev.value.trial!.number} ${STATE(ev.value.trial!.state)}: ${ev.value.reason}`;
    case 'intermediateReported':
      return `${head} trial #${ev.value.trialNumber} step ${ev.value.value!.step} = ${fmt(ev.value.value!.value)}${ev.value.pruned ? ' (pruned)' : ''}`;
    case 'newBest':
      return `${head} new best: trial #${ev.value.number} ${fmt(ev.value.objectiveValue)} ${paramText(ev.value.parameters)}`;
    default:
      return head;
  }
}

function client(): tuner.TunerServiceClient {
  const { credentials, options } = connection();
  return new tuner.TunerServiceClient(addressOf('tuner'), credentials, options);
}

function call<Req, Res>(
  fn: (
    r: Req,
    m: grpc.Metadata,
    o: Partial<grpc.CallOptions>,
    cb: (e: grpc.ServiceError | null, r: Res) => void,
  ) => unknown,
  request: Req,
): Promise<Res> {
  return new Promise((resolve, reject) =>
    fn(request, new grpc.Metadata(), { deadline: Date.now() + 30_000 }, (err, res) =>
      err ? reject(err) : resolve(res),
    ),
  );
}

export function registerStudyCommand(program: Command): void {
  const study = program.command('study').description('tuning studies on the tuner (ATHANOR_TUNER_ADDR)');
  study
    .command('create')
    .description('create a study from a StudySpec file (proto3 JSON form, as JSON or YAML)')
    .requiredOption('--file <path>', 'the StudySpec file')
    .option('--request-id <key>', 'idempotency key: a repeated create returns the same study')
    .action(async (opts: { file: string; requestId?: string }) => {
      const spec = parseStudyFile(readFileSync(opts.file, 'utf8'));
      const c = client();
      try {
        const res = await call(c.createStudy.bind(c), { spec, requestId: opts.requestId ?? '' });
        process.stdout.write(`${res.study!.id}\n`);
      } finally {
        c.close();
      }
    });
  study
    .command('show <id>')
    .description('best trial, leaderboard, parameter importances and the per-batch-size scaling report')
    .option('--top <n>', 'leaderboard entries', '10')
    .option('--json', 'print the GetStudy response as JSON')
    .action(async (id: string, opts: { top: string; json?: boolean }) => {
      const c = client();
      try {
        const res = await call(
          c.getStudy.bind(c),
          tuner.GetStudyRequest.fromPartial({ studyId: id, leaderboardSize: Number(opts.top) }),
        );
        process.stdout.write(
          `${opts.json ? JSON.stringify(tuner.GetStudyResponse.toJSON(res), null, 2) : formatStudy(res)}\n`,
        );
      } finally {
        c.close();
      }
    });
  study
    .command('watch <id>')
    .description('follow a study: a live leaderboard on a terminal, one line per event otherwise')
    .option('--replay', 'start from the first event')
    .action(async (id: string, opts: { replay?: boolean }) => {
      const c = client();
      const live = process.stdout.isTTY;
      const redraw = async () => {
        const res = await call(
          c.getStudy.bind(c),
          tuner.GetStudyRequest.fromPartial({ studyId: id, leaderboardSize: 10 }),
        );
        process.stdout.write(`\x1b[2J\x1b[H${formatStudy(res)}\n`);
      };
      if (live) await redraw();
      await new Promise<void>((resolve, reject) => {
        const stream = c.watchStudy(
          tuner.WatchStudyRequest.fromPartial({ studyId: id, replay: opts.replay ?? false }),
        );
        let pending = Promise.resolve();
        stream.on('data', (r: tuner.WatchStudyResponse) => {
          if (!live) process.stdout.write(`${formatEvent(r.event!)}\n`);
          else pending = pending.then(redraw, redraw);
        });
        stream.on('error', reject);
        stream.on('end', () => void pending.then(() => resolve()));
      }).finally(() => c.close());
    });
}
