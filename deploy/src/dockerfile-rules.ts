import type { Dockerfile, Instruction } from './dockerfile';

/** What the rules need to know about the repository (the build context is its root). */
export interface BuildContext {
  /** Whether `path` (relative to the repository root) exists. */
  exists(path: string): boolean;
  /** Whether `.dockerignore` keeps `path` out of the build context. */
  ignored(path: string): boolean;
  /** Names of the npm workspace packages (`@athanor/trainer`, ...). */
  readonly packages: ReadonlySet<string>;
  /** Whether `path` (e.g. services/trainer/dist/main.js) is produced by its package's build script. */
  builds(path: string): boolean;
}

export interface Problem {
  readonly rule: string;
  readonly line: number;
  readonly message: string;
}

/**
 * The rules every image follows (hadolint-style; deploy/README.md lists them). Each returns the
 * places it is broken, with the Dockerfile line, so a failure says what to fix.
 */
export const RULES: Readonly<Record<string, string>> = {
  'multi-stage': 'at least two stages: compilers and dev dependencies stay out of the runtime image',
  'pinned-base': 'every base image has an explicit version tag or digest, never `latest` or no tag',
  'node-22': 'the runtime is Node 22 (node:22.x image or a NODE_VERSION=22.x install)',
  'non-root': 'the final stage ends with USER set to a non-root user',
  probe: 'a HEALTHCHECK, or a `# probe:` comment saying which probe checks the container',
  'no-add': 'no ADD (no remote URLs, no implicit tar extraction): COPY, or RUN curl with a checksum',
  'apt-hygiene':
    'apt-get install runs with update, --no-install-recommends and rm -rf /var/lib/apt/lists/* in one RUN',
  'root-owned-code': 'the final stage copies code without --chown, so the non-root process cannot rewrite it',
  'copy-source': 'every COPY source exists in the repository and is not excluded by .dockerignore',
  'copy-from': 'every COPY --from names an earlier stage',
  'omit-dev': 'production dependencies are installed with npm ci --omit=dev',
  workspace: 'every @athanor/* package a RUN names is a workspace package',
  entrypoint: 'ENTRYPOINT/CMD is exec form `node <file>`, and the file is built by its package',
};

export function checkDockerfile(file: Dockerfile, ctx: BuildContext): Problem[] {
  const problems: Problem[] = [];
  const add = (rule: string, line: number, message: string) => problems.push({ rule, line, message });
  const { stages } = file;
  const final = stages[stages.length - 1];
  const all = stages.flatMap((s) => s.instructions);
  if (!final) return [{ rule: 'multi-stage', line: 1, message: 'no FROM' }];

  if (stages.length < 2) add('multi-stage', 1, `${stages.length} stage(s)`);

  const names = new Set<string>();
  for (const stage of stages) {
    const from = stage.instructions[0];
    if (!names.has(stage.image)) {
      const [image, digest] = stage.image.split('@');
      const tag = image.includes(':') ? image.slice(image.lastIndexOf(':') + 1) : '';
      if (!digest && (!/\d+\.\d+/.test(tag) || tag === 'latest'))
        add('pinned-base', from.line, `base image ${stage.image} has no pinned version tag`);
    }
    if (stage.name) names.add(stage.name);
  }

  // Node 22: along the chain of stages the final one builds on.
  const chain: string[] = [];
  for (let image: string | undefined = final.image; image;) {
    chain.push(image);
    image = stages.find((s) => s.name === image)?.image;
    if (chain.length > stages.length) break;
  }
  const nodeArg = all.some((i) => i.keyword === 'ARG' && /^NODE_VERSION=22\./.test(i.text));
  if (!chain.some((image) => /^node:22\./.test(image)) && !nodeArg)
    add('node-22', final.instructions[0].line, `the runtime is not Node 22 (bases: ${chain.join(' <- ')})`);

  const users = final.instructions.filter((i) => i.keyword === 'USER');
  const user = users[users.length - 1]?.args[0];
  if (!user || /^(root|0)(:|$)/.test(user))
    add('non-root', final.instructions[0].line, `final USER is ${user ?? 'unset (root)'}`);

  if (
    !final.instructions.some((i) => i.keyword === 'HEALTHCHECK') &&
    !file.comments.some((c) => c.startsWith('probe:'))
  )
    add('probe', 1, 'no HEALTHCHECK and no `# probe:` comment');

  for (const ins of all) {
    if (ins.keyword === 'ADD') add('no-add', ins.line, `ADD ${ins.text}`);
    if (ins.keyword === 'RUN' && /apt-get\s+install/.test(ins.text)) {
      for (const needed of ['apt-get update', '--no-install-recommends', 'rm -rf /var/lib/apt/lists/*'])
        if (!ins.text.includes(needed)) add('apt-hygiene', ins.line, `apt-get install without ${needed}`);
    }
    if (ins.keyword === 'RUN')
      for (const m of ins.text.matchAll(/@athanor\/([a-z0-9-]+)/g))
        if (!ctx.packages.has(`@athanor/${m[1]}`))
          add('workspace', ins.line, `@athanor/${m[1]} is not a workspace package`);
  }

  if (!all.some((i) => i.keyword === 'RUN' && /npm ci\b.*--omit=dev/.test(i.text)))
    add('omit-dev', 1, 'no `npm ci --omit=dev`');

  const seen = new Set<string>();
  for (const stage of stages) {
    for (const ins of stage.instructions.filter((i) => i.keyword === 'COPY'))
      checkCopy(ins, stage === final, seen);
    if (stage.name) seen.add(stage.name);
  }

  const starts = final.instructions.filter((i) => i.keyword === 'ENTRYPOINT' || i.keyword === 'CMD');
  if (starts.length === 0) add('entrypoint', final.instructions[0].line, 'no ENTRYPOINT or CMD');
  for (const ins of starts) {
    if (!ins.text.startsWith('['))
      add('entrypoint', ins.line, 'shell form: signals would go to /bin/sh, not node');
    else if (ins.args[0] !== 'node' || !ins.args[1])
      add('entrypoint', ins.line, `runs ${ins.args.join(' ')}, expected node <file>`);
    else if (!ctx.builds(ins.args[1]))
      add('entrypoint', ins.line, `${ins.args[1]} is not built by its package's build script`);
  }
  return problems;

  function checkCopy(ins: Instruction, inFinal: boolean, stagesBefore: ReadonlySet<string>) {
    if (inFinal && ins.flags.chown)
      add('root-owned-code', ins.line, `COPY --chown=${ins.flags.chown} ${ins.text}`);
    if (ins.flags.from !== undefined) {
      if (!stagesBefore.has(ins.flags.from))
        add('copy-from', ins.line, `--from=${ins.flags.from} is not an earlier stage`);
      return;
    }
    for (const source of ins.args.slice(0, -1)) {
      const path = source.replace(/^\.\/|\/$/g, '') || '.';
      if (!ctx.exists(path)) add('copy-source', ins.line, `${source} does not exist in the repository`);
      else if (ctx.ignored(path)) add('copy-source', ins.line, `${source} is excluded by .dockerignore`);
    }
  }
}
