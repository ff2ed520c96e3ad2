import type { Command } from 'commander';
import { addressOf, SERVICES } from '../addresses';
import { checkHealth } from '../health-check';

export interface HealthRow {
  service: string;
  address: string;
  status: string;
  detail?: string;
}

/** grpc.health.v1 of all four services, in parallel. */
export async function healthOfAll(
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 2000,
): Promise<HealthRow[]> {
  return Promise.all(
    SERVICES.map(async (s) => {
      const address = addressOf(s.name, env);
      return { service: s.name, address, ...(await checkHealth(address, timeoutMs)) };
    }),
  );
}

export function registerHealthCommand(program: Command): void {
  program
    .command('health')
    .description(
      'check grpc.health.v1 of all four services (addresses from ATHANOR_*_ADDR or the loopback defaults)',
    )
    .option('--json', 'print JSON instead of a table')
    .option('--timeout <ms>', 'deadline per check in milliseconds', '2000')
    .action(async (opts: { json?: boolean; timeout: string }) => {
      const timeout = Number(opts.timeout);
      if (!Number.isFinite(timeout) || timeout <= 0) {
        program.error(
          `--timeout: expected a positive number of milliseconds, got ${JSON.stringify(opts.timeout)}`,
          {
            exitCode: 2,
          },
        );
      }
      const rows = await healthOfAll(process.env, timeout);
      if (opts.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      } else {
        for (const r of rows) {
          const detail = r.detail ? `  (${r.detail})` : '';
          process.stdout.write(`${r.service.padEnd(14)} ${r.address.padEnd(22)} ${r.status}${detail}\n`);
        }
      }
      if (rows.some((r) => r.status !== 'SERVING')) process.exitCode = 1;
    });
}
