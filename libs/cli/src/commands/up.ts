import type { Command } from 'commander';
import { spawnServices, stopServices, waitReady } from '../service-launcher';

export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description('start the four services on loopback with embedded defaults; Ctrl-C stops them')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--log-dir <dir>', 'where the services write their JSON logs', '.athanor/logs')
    .option('--exit', 'stop the services again once they are all serving (a smoke test)')
    .action(async (opts: { host: string; logDir: string; exit?: boolean }) => {
      const services = spawnServices({ host: opts.host, logDir: opts.logDir });
      let stopping = false;
      const stop = async (code: number) => {
        if (stopping) return;
        stopping = true;
        process.stdout.write('stopping services...\n');
        await stopServices(services);
        process.stdout.write('stopped.\n');
        process.exit(code);
      };
      // Installed before waiting, so Ctrl-C during start-up stops the children too.
      process.once('SIGINT', () => void stop(0));
      process.once('SIGTERM', () => void stop(0));
      await waitReady(services, 60_000);
      for (const s of services) {
        s.child.once('exit', (code, signal) => {
          if (stopping) return;
          process.stderr.write(
            `${s.label} stopped unexpectedly (${signal ?? `code ${code}`}); see ${s.log}\n`,
          );
          void stop(1);
        });
      }
      process.stdout.write('Athanor is serving:\n');
      for (const s of services) {
        process.stdout.write(
          `  ${s.label.padEnd(14)} grpc ${s.grpc.padEnd(18)} metrics ${s.metricsUrl.padEnd(32)} log ${s.log}\n`,
        );
      }
      if (opts.exit) return stop(0);
      process.stdout.write('Press Ctrl-C to stop.\n');
    });
}
