import { trainer } from '@athanor/contracts';
import type { Command } from 'commander';
import { followRun, trainerClient, unaryCall } from './train';

const stateName = (s: trainer.RunState): string =>
  trainer.runStateToJSON(s).replace('RUN_STATE_', '').toLowerCase();

/** Parses --state values (queued, running, completed, failed, cancelled; comma-separated). */
export function parseStates(text: string | undefined): trainer.RunState[] {
  if (text === undefined || text.trim() === '') return [];
  return text.split(',').map((raw) => {
    const name = `RUN_STATE_${raw.trim().toUpperCase()}`;
    const state = trainer.runStateFromJSON(name);
    if (state === trainer.RunState.UNRECOGNIZED || state === trainer.RunState.RUN_STATE_UNSPECIFIED)
      throw new Error(
        `--state: unknown state ${JSON.stringify(raw)} (queued, running, completed, failed, cancelled)`,
      );
    return state;
  });
}

/** `athanor runs ls` as a table: id, state, name, step/total, epoch, last loss, best validation top-1. */
export function formatRunsTable(runs: readonly trainer.Run[]): string {
  const header = ['id', 'state', 'name', 'step', 'epoch', 'loss', 'val top-1', 'created'];
  const rows = runs.map((r) => [
    r.id,
    stateName(r.state),
    r.name || '-',
    `${r.step}/${r.totalSteps || '?'}`,
    String(r.epoch),
    r.lastLoss === undefined ? '-' : r.lastLoss.toFixed(4),
    r.bestValidation ? `${(r.bestValidation.top1 * 100).toFixed(2)}%` : '-',
    r.createdAt ? r.createdAt.toISOString().replace('T', ' ').slice(0, 19) : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** `athanor runs show`: the run as proto3 JSON. */
export function formatRun(run: trainer.Run): string {
  return JSON.stringify(trainer.Run.toJSON(run), null, 2);
}

export function registerRunsCommand(program: Command): void {
  const runs = program.command('runs').description('list, show, cancel and watch training runs');
  const withClient = async (fn: (client: trainer.TrainerServiceClient) => Promise<void>): Promise<void> => {
    const client = trainerClient();
    try {
      await fn(client);
    } catch (error) {
      process.stderr.write(`athanor runs: ${(error as Error).message}\n`);
      process.exitCode = 1;
    } finally {
      client.close();
    }
  };
  runs
    .command('ls')
    .description('runs, newest first')
    .option(
      '--state <states>',
      'only these states, comma-separated (queued,running,completed,failed,cancelled)',
    )
    .option('--study <id>', 'only runs of this study')
    .option('--limit <n>', 'at most this many runs', '50')
    .option('--json', 'print proto3 JSON')
    .action((opts: { state?: string; study?: string; limit: string; json?: boolean }) =>
      withClient(async (client) => {
        const res = await unaryCall<trainer.ListRunsRequest, trainer.ListRunsResponse>(
          (r, cb) => client.listRuns(r, cb),
          trainer.ListRunsRequest.fromPartial({
            states: parseStates(opts.state),
            studyId: opts.study ?? '',
            pageSize: Number(opts.limit),
            omitConfig: true,
          }),
        );
        process.stdout.write(
          `${
            opts.json
              ? JSON.stringify(
                  res.runs.map((r) => trainer.Run.toJSON(r)),
                  null,
                  2,
                )
              : formatRunsTable(res.runs)
          }\n`,
        );
      }),
    );
  runs
    .command('show <id>')
    .description('one run as JSON (state, config, progress, checkpoints)')
    .action((id: string) =>
      withClient(async (client) => {
        const res = await unaryCall<trainer.GetRunRequest, trainer.GetRunResponse>(
          (r, cb) => client.getRun(r, cb),
          { runId: id },
        );
        process.stdout.write(`${formatRun(res.run!)}\n`);
      }),
    );
  runs
    .command('cancel <id>')
    .description('stop a run at its next step (its last checkpoint is kept)')
    .option('--reason <text>', 'why (recorded in the run)')
    .action((id: string, opts: { reason?: string }) =>
      withClient(async (client) => {
        const res = await unaryCall<trainer.CancelRunRequest, trainer.CancelRunResponse>(
          (r, cb) => client.cancelRun(r, cb),
          { runId: id, reason: opts.reason ?? '' },
        );
        process.stdout.write(`${id}: ${stateName(res.run!.state)}\n`);
      }),
    );
  runs
    .command('watch <id>')
    .description('follow a run from its first event to its end')
    .action((id: string) =>
      withClient(async (client) => {
        const outcome = await followRun(
          client,
          id,
          (t) => process.stdout.write(t),
          process.stdout.isTTY === true,
        );
        if (outcome !== 'finished') process.exitCode = 1;
      }),
    );
}
