import { spawnSync } from 'node:child_process';

/** Where Debian's prometheus package puts promtool; PATH is searched first. */
const CANDIDATES = ['promtool', '/usr/bin/promtool'];

/** The promtool binary, or undefined when it is not installed. */
export function findPromtool(): string | undefined {
  return CANDIDATES.find((bin) => spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0);
}

/**
 * Why a promtool check cannot run here, or undefined when it can. CI installs promtool (.ci/run),
 * so under CI=true a missing promtool is an error, never a silent skip.
 */
export function promtoolUnavailable(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (findPromtool()) return undefined;
  const message = 'promtool not found: install Debian package "prometheus" (apt-get install -y prometheus)';
  if (env.CI === 'true') throw new Error(`${message}; CI must run this check`);
  return message;
}

/** `promtool check metrics` on an exposition: its complaints (empty when clean). */
export function promtoolCheckMetrics(exposition: string): { status: number | null; output: string } {
  const bin = findPromtool();
  if (!bin) throw new Error('promtool not found');
  const r = spawnSync(bin, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}
