import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerHealthCommand } from './commands/health';
import { registerModelCommand } from './commands/model';
import { registerLrFindCommand } from './commands/lr-find';
import { registerRunsCommand } from './commands/runs';
import { registerMetricsCommand } from './commands/metrics';
import { registerScaleCommand } from './commands/scale';
import { registerScheduleCommand } from './commands/schedule';
import { registerTrainCommand } from './commands/train';
import { registerStudyCommand } from './commands/study';
import { registerUpCommand } from './commands/up';
import { registerQuickstartCommand } from './commands/quickstart';

export function buildProgram(): Command {
  const program = new Command('athanor')
    .description('Train and tune neural networks: a client of the four Athanor services and local tools.')
    .version(
      (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string })
        .version,
    )
    .showHelpAfterError();
  registerQuickstartCommand(program);
  registerUpCommand(program);
  registerHealthCommand(program);
  registerScheduleCommand(program);
  registerScaleCommand(program);
  registerModelCommand(program);
  registerTrainCommand(program);
  registerRunsCommand(program);
  registerLrFindCommand(program);
  registerStudyCommand(program);
  registerMetricsCommand(program);
  return program;
}

export function main(argv: string[]): void {
  buildProgram()
    .parseAsync(argv)
    .catch((err: unknown) => {
      process.stderr.write(`athanor: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}
