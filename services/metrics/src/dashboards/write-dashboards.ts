// Writes deploy/grafana (dashboards, provisioning, ConfigMaps) from the TypeScript definitions:
// `npm run dashboards -w @athanor/metrics`. A test fails when the committed files are stale.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { renderGrafanaFiles } from './render-files';

/** deploy/grafana of the repository this package lives in (dist/dashboards -> ../../../../). */
export const GRAFANA_DIR = resolve(__dirname, '..', '..', '..', '..', 'deploy', 'grafana');

export async function writeGrafanaFiles(root = GRAFANA_DIR): Promise<string[]> {
  const written: string[] = [];
  for (const [path, content] of Object.entries(await renderGrafanaFiles(root))) {
    const target = join(root, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    written.push(target);
  }
  return written;
}

if (require.main === module) {
  writeGrafanaFiles(process.argv[2] ?? GRAFANA_DIR).then(
    (files) => files.forEach((file) => process.stdout.write(`wrote ${file}\n`)),
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
