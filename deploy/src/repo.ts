import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dockerignoreMatcher } from './dockerignore';
import type { BuildContext } from './dockerfile-rules';

/** The repository root (deploy/src/ -> ../..). */
export const repoRoot = join(__dirname, '..', '..');

/** Workspace package directories (relative paths) by package name, from the root's "workspaces". */
export function workspacePackages(root = repoRoot): Map<string, string> {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] };
  const out = new Map<string, string>();
  for (const pattern of manifest.workspaces) {
    const dirs = pattern.endsWith('/*')
      ? readdirSync(join(root, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => `${pattern.slice(0, -2)}/${d.name}`)
      : [pattern];
    for (const dir of dirs) {
      const file = join(root, dir, 'package.json');
      if (existsSync(file)) out.set((JSON.parse(readFileSync(file, 'utf8')) as { name: string }).name, dir);
    }
  }
  return out;
}

/** The build context of the images: the repository root filtered by .dockerignore. */
export function repoBuildContext(root = repoRoot): BuildContext {
  const packages = workspacePackages(root);
  const ignored = dockerignoreMatcher(readFileSync(join(root, '.dockerignore'), 'utf8'));
  return {
    exists: (path) => existsSync(join(root, path)),
    ignored,
    packages: new Set(packages.keys()),
    builds(path) {
      // <package>/dist/<x>.js comes from <package>/src/<x>.ts when the package's build script is tsc
      // with a tsconfig whose rootDir is src and outDir dist.
      const m = /^((?:libs|services)\/[^/]+)\/dist\/(.+)\.js$/.exec(path);
      if (!m || ![...packages.values()].includes(m[1])) return false;
      const dir = join(root, m[1]);
      const scripts = (
        JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }
      ).scripts;
      if (!scripts?.build?.includes('tsc -p tsconfig.build.json')) return false;
      const tsconfig = JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8')) as {
        compilerOptions?: { rootDir?: string; outDir?: string };
      };
      return (
        tsconfig.compilerOptions?.rootDir === 'src' &&
        tsconfig.compilerOptions.outDir === 'dist' &&
        existsSync(join(dir, 'src', `${m[2]}.ts`))
      );
    },
  };
}
