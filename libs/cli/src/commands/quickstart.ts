import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { tuner } from '@athanor/contracts';
import { runQuickstart } from '../quickstart/run-quickstart';
import { parseStudyFile } from './study';

export function registerQuickstartCommand(program: Command): void {
  program
    .command('quickstart')
    .description(
      'the main job: start the services, run an LR range test and a tuning study on Fashion-MNIST, write its report, keep serving',
    )
    .option('--exit', 'stop the services and leave once the report is written (scripts, CI)')
    .option('--study <file>', 'run this StudySpec (JSON or YAML) instead of the embedded study')
    .option('--output <dir>', 'reports go to <dir>/<study name>/', 'athanor-output')
    .option('--workers <n>', 'trainer worker processes (trials in parallel)', String(availableParallelism()))
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--log-dir <dir>', 'where the services write their JSON logs', '.athanor/logs')
    .action(
      async (opts: {
        exit?: boolean;
        study?: string;
        output: string;
        workers: string;
        host: string;
        logDir: string;
      }) => {
        const workers = Number(opts.workers);
        if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
          process.stderr.write(
            `athanor quickstart: --workers: must be an integer in [1, 64], got ${opts.workers}\n`,
          );
          process.exitCode = 2;
          return;
        }
        // Read before anything starts: a bad file is named and nothing is left running.
        let study: tuner.StudySpec | undefined;
        if (opts.study !== undefined) {
          try {
            study = parseStudyFile(readFileSync(opts.study, 'utf8'));
          } catch (error) {
            process.stderr.write(`athanor quickstart: --study ${opts.study}: ${(error as Error).message}\n`);
            process.exitCode = 2;
            return;
          }
        }
        const result = await runQuickstart({
          host: opts.host,
          logDir: opts.logDir,
          output: opts.output,
          exit: opts.exit ?? false,
          workers,
          out: process.stdout,
          ...(study !== undefined ? { study } : {}),
        });
        const ok = result.state === tuner.StudyState.STUDY_STATE_COMPLETED;
        if (opts.exit) {
          await result.stop();
          process.exit(ok ? 0 : 1);
        }
        process.stdout.write(
          '\nStill serving (Prometheus, Grafana and clients can connect). Press Ctrl-C to stop.\n',
        );
        const leave = () => void result.stop().then(() => process.exit(0));
        process.once('SIGINT', leave);
        process.once('SIGTERM', leave);
      },
    );
}
