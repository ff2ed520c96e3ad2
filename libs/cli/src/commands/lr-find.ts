import { Metadata } from '@grpc/grpc-js';
import { trainer } from '@athanor/contracts';
import type { Command } from 'commander';
import { formatValue, renderLineChart } from '../terminal-chart';
import { ConfigFileError, loadTrainConfig, trainerClient, unaryCall } from './train';

/** The LR range test's answer as a terminal chart of the smoothed loss and the suggestions. */
export function formatLrFind(res: trainer.FindLearningRateResponse): string {
  const points = res.points;
  if (points.length === 0) return 'no iterations ran';
  const lo = points[0].lr;
  const hi = points[points.length - 1].lr;
  const chart = renderLineChart(
    points.map((p) => p.smoothedLoss),
    {
      title: `smoothed loss over ${points.length} iterations, lr ${formatValue(lo)} -> ${formatValue(hi)} (log scale)`,
    },
  );
  const s = res.suggestions ?? {};
  const lines = [
    chart,
    `lr at the start ${formatValue(lo)}, at the end ${formatValue(hi)}${res.diverged ? ' (stopped: the loss diverged)' : ''}`,
    `steepest descent: ${s.steepest === undefined ? '-' : formatValue(s.steepest)}`,
    `minimum / 10:     ${s.minimumDiv10 === undefined ? '-' : formatValue(s.minimumDiv10)}`,
    `valley:           ${s.valley === undefined ? '-' : formatValue(s.valley)}`,
    `suggested lr:     ${s.recommended === undefined ? '-' : formatValue(s.recommended)}`,
  ];
  return lines.join('\n');
}

export function registerLrFindCommand(program: Command): void {
  program
    .command('lr-find')
    .description("LR range test (fastai's lr_find) on a TrainConfig's model and data: chart and suggested lr")
    .option('--config <file>', 'TrainConfig as proto3 JSON or YAML')
    .option('--min-lr <lr>', 'start of the sweep', '1e-7')
    .option('--max-lr <lr>', 'end of the sweep', '10')
    .option('--iterations <n>', 'iterations of the sweep', '100')
    .option('--json', 'print the response as proto3 JSON')
    .action(
      async (opts: { config?: string; minLr: string; maxLr: string; iterations: string; json?: boolean }) => {
        if (opts.config === undefined) {
          process.stderr.write('athanor lr-find: --config: is required\n');
          process.exitCode = 2;
          return;
        }
        let config;
        try {
          config = loadTrainConfig(opts.config);
        } catch (error) {
          if (!(error instanceof ConfigFileError)) throw error;
          process.stderr.write(`athanor lr-find: ${error.message}\n`);
          process.exitCode = 2;
          return;
        }
        const client = trainerClient();
        try {
          const res = await unaryCall<trainer.FindLearningRateRequest, trainer.FindLearningRateResponse>(
            (r, cb) => client.findLearningRate(r, new Metadata(), { deadline: Date.now() + 3_600_000 }, cb),
            trainer.FindLearningRateRequest.fromPartial({
              config,
              minLr: Number(opts.minLr),
              maxLr: Number(opts.maxLr),
              numIterations: Number(opts.iterations),
            }),
          );
          process.stdout.write(
            `${opts.json ? JSON.stringify(trainer.FindLearningRateResponse.toJSON(res), null, 2) : formatLrFind(res)}\n`,
          );
        } catch (error) {
          process.stderr.write(`athanor lr-find: ${(error as Error).message}\n`);
          process.exitCode = 1;
        } finally {
          client.close();
        }
      },
    );
}
