import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// `npm start` runs `athanor up`: the four services as separate processes on their default ports.
describe('athanor up', () => {
  it('starts the four services, waits until each is SERVING, and stops them cleanly', () => {
    const athanor = join(__dirname, '..', 'libs', 'cli', 'bin', 'athanor.js');
    const logDir = join(__dirname, '..', '.athanor', 'test-logs');
    const r = spawnSync(process.execPath, [athanor, 'up', '--exit', '--log-dir', logDir], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const [name, port] of [
      ['model-builder', 50051],
      ['trainer', 50052],
      ['tuner', 50053],
      ['metrics', 50054],
    ] as const) {
      expect(r.stdout).toMatch(new RegExp(`${name}\\s+grpc 127\\.0\\.0\\.1:${port}`));
    }
    expect(r.stdout).toContain('stopped.');
  });
});
