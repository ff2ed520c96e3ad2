import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from './src/dockerfile';
import { type BuildContext, checkDockerfile } from './src/dockerfile-rules';
import { dockerignoreMatcher } from './src/dockerignore';
import { repoBuildContext, repoRoot } from './src/repo';

// Images cannot be built here (no Docker engine), so every Dockerfile is checked statically
// against the rules in src/dockerfile-rules.ts and against the repository it copies from.
const dockerDir = join(repoRoot, 'deploy', 'docker');
const images = readdirSync(dockerDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
const context = repoBuildContext();

describe('Dockerfiles', () => {
  it('exist for every service, with a GPU variant of the trainer', () => {
    expect(images.sort()).toEqual(['metrics', 'model-builder', 'trainer', 'trainer-gpu', 'tuner']);
  });

  it.each(images)('%s follows every rule', (image) => {
    const file = parseDockerfile(readFileSync(join(dockerDir, image, 'Dockerfile'), 'utf8'));
    expect(checkDockerfile(file, context)).toEqual([]);
  });

  it.each(images)('%s runs its own service', (image) => {
    const file = parseDockerfile(readFileSync(join(dockerDir, image, 'Dockerfile'), 'utf8'));
    const final = file.stages[file.stages.length - 1];
    const entry = final.instructions.find((i) => i.keyword === 'ENTRYPOINT');
    expect(entry?.args).toEqual(['node', `services/${image.replace(/-gpu$/, '')}/dist/main.js`]);
  });

  it('installs tfjs-node-gpu on CUDA 11.2 + cuDNN 8 for the GPU trainer, tfjs-node for the CPU one', () => {
    const gpu = readFileSync(join(dockerDir, 'trainer-gpu', 'Dockerfile'), 'utf8');
    expect(parseDockerfile(gpu).stages[0].image).toBe('nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04');
    expect(gpu).toContain("npm pkg set 'allowScripts.@tensorflow/tfjs-node-gpu=true' --json");
    expect(gpu).toContain('npm rebuild @tensorflow/tfjs-node-gpu');
    const cpu = readFileSync(join(dockerDir, 'trainer', 'Dockerfile'), 'utf8');
    expect(cpu).toContain('npm rebuild @tensorflow/tfjs-node ');
  });
});

describe('the rules catch what they promise to', () => {
  const fake: BuildContext = {
    exists: (p) => ['package.json', 'libs', 'services', 'node_modules'].includes(p),
    ignored: (p) => p === 'node_modules',
    packages: new Set(['@athanor/tuner']),
    builds: (p) => p === 'services/tuner/dist/main.js',
  };
  const good = `
FROM node:22.21.1-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends g++ && rm -rf /var/lib/apt/lists/*
COPY package.json ./
COPY libs/ libs/
RUN npm ci --omit=dev --workspace @athanor/tuner
FROM node:22.21.1-bookworm-slim
# probe: kubernetes grpc
COPY --from=build /app ./
USER node
ENTRYPOINT ["node", "services/tuner/dist/main.js"]
`;
  const rules = (source: string) => checkDockerfile(parseDockerfile(source), fake).map((p) => p.rule);

  it('passes a Dockerfile that follows them', () => {
    expect(rules(good)).toEqual([]);
  });

  it.each([
    [
      'pinned-base',
      (s: string) => s.replace('FROM node:22.21.1-bookworm-slim AS build', 'FROM node:latest AS build'),
    ],
    [
      'pinned-base',
      (s: string) => s.replace('FROM node:22.21.1-bookworm-slim AS build', 'FROM node AS build'),
    ],
    ['node-22', (s: string) => s.replaceAll('node:22.21.1', 'node:20.19.0')],
    [
      'multi-stage',
      (s: string) =>
        s
          .replace(/^FROM node:22.21.1-bookworm-slim AS build[\s\S]*?(?=FROM)/m, '')
          .replace('COPY --from=build /app ./\n', ''),
    ],
    ['non-root', (s: string) => s.replace('USER node', 'USER root')],
    ['non-root', (s: string) => s.replace('USER node\n', '')],
    ['probe', (s: string) => s.replace('# probe: kubernetes grpc\n', '')],
    ['no-add', (s: string) => s.replace('COPY package.json ./', 'ADD https://example.com/x.tgz ./')],
    ['apt-hygiene', (s: string) => s.replace(' && rm -rf /var/lib/apt/lists/*', '')],
    ['apt-hygiene', (s: string) => s.replace('--no-install-recommends ', '')],
    ['root-owned-code', (s: string) => s.replace('COPY --from=build', 'COPY --from=build --chown=node:node')],
    ['copy-source', (s: string) => s.replace('COPY libs/ libs/', 'COPY tools/ tools/')],
    ['copy-source', (s: string) => s.replace('COPY libs/ libs/', 'COPY node_modules/ node_modules/')],
    ['copy-from', (s: string) => s.replace('--from=build', '--from=builder')],
    ['omit-dev', (s: string) => s.replace(' --omit=dev', '')],
    ['workspace', (s: string) => s.replace('@athanor/tuner', '@athanor/tunner')],
    ['entrypoint', (s: string) => s.replace('services/tuner/dist/main.js', 'services/tuner/dist/mian.js')],
    [
      'entrypoint',
      (s: string) =>
        s.replace(
          'ENTRYPOINT ["node", "services/tuner/dist/main.js"]',
          'CMD node services/tuner/dist/main.js',
        ),
    ],
  ])('%s', (rule, mutate) => {
    expect(rules(mutate(good))).toContain(rule);
  });
});

describe('.dockerignore matching', () => {
  const ignored = dockerignoreMatcher('**/node_modules\n**/dist\n.git\n**/*.md\n!README.md\ndeploy/k8s\n');

  it('ignores nested build output and dependencies, and re-includes with !', () => {
    expect(ignored('node_modules')).toBe(true);
    expect(ignored('libs/compute/node_modules/x')).toBe(true);
    expect(ignored('services/trainer/dist/main.js')).toBe(true);
    expect(ignored('libs/compute/README.md')).toBe(true);
    expect(ignored('README.md')).toBe(false);
    expect(ignored('deploy/k8s/base/kustomization.yaml')).toBe(true);
    expect(ignored('deploy/package.json')).toBe(false);
    expect(ignored('services/trainer/src/main.ts')).toBe(false);
  });

  it('keeps the sources the images build from', () => {
    for (const path of [
      'package-lock.json',
      'proto',
      'tools',
      'libs/contracts/descriptors.binpb',
      'services/trainer/src/main.ts',
    ])
      expect(context.ignored(path)).toBe(false);
  });
});
