import { ConfigError } from './config';
import type { RunningService } from './server';

/**
 * The body of a service's main: start it, stop it once on SIGTERM or SIGINT, and exit non-zero
 * with the reason when it cannot start (a bad ATHANOR_* variable names itself).
 */
export function runMain(start: () => Promise<RunningService>): void {
  // Through a promise so that a synchronous throw (a bad variable) takes the same path.
  Promise.resolve()
    .then(start)
    .then(
      (service) => {
        const onSignal = (signal: NodeJS.Signals) => {
          service.logger.info({ signal }, 'shutting down');
          service.stop().then(
            () => process.exit(0),
            (err: unknown) => {
              service.logger.error({ err }, 'shutdown failed');
              process.exit(1);
            },
          );
        };
        process.once('SIGTERM', onSignal);
        process.once('SIGINT', onSignal);
      },
      (err: unknown) => {
        const message = err instanceof ConfigError ? `invalid configuration:\n${err.message}` : String(err);
        process.stderr.write(`${message}\n`);
        process.exit(err instanceof ConfigError ? 78 : 1); // 78: EX_CONFIG
      },
    );
}
