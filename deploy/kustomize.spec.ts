import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { render } from './src/kustomize';
import { strategicMerge } from './src/strategic-merge';

// Tests read deep into rendered objects; a precise type for each path would be longer than the test.
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment */
type Loose = any;

const root = mkdtempSync(join(tmpdir(), 'athanor-kustomize-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes `files` under a fresh directory and returns it. */
function tree(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: registry.local:5000/team/web:1.0
          env:
            - {name: A, value: "1"}
            - {name: B, value: "2"}
          args: [--one, --two]
      volumes:
        - name: data
          emptyDir: {}
`;

describe('strategicMerge', () => {
  it('merges maps, deletes on null, merges named lists by key and replaces other lists', () => {
    const target = {
      a: { b: 1, c: 2 },
      containers: [{ name: 'x', image: 'i', args: ['1'] }],
      tolerations: [{ key: 'k' }],
    };
    const patch = {
      a: { c: null, d: 3 },
      containers: [
        { name: 'x', args: ['2'] },
        { name: 'y', image: 'j' },
      ],
      tolerations: [{ key: 'g' }],
    };
    expect(strategicMerge(target, patch)).toEqual({
      a: { b: 1, d: 3 },
      containers: [
        { name: 'x', image: 'i', args: ['2'] },
        { name: 'y', image: 'j' },
      ],
      tolerations: [{ key: 'g' }],
    });
    expect(target.a.c).toBe(2); // the inputs are not modified
  });

  it('removes a keyed item with $patch: delete', () => {
    expect(
      strategicMerge({ env: [{ name: 'A' }, { name: 'B' }] }, { env: [{ name: 'A', $patch: 'delete' }] }),
    ).toEqual({
      env: [{ name: 'B' }],
    });
  });
});

describe('render', () => {
  const base = tree('base', {
    'kustomization.yaml': 'resources: [web.yaml, extra]\nnamespace: shop\n',
    'web.yaml': deployment,
    'extra/kustomization.yaml': 'resources: [ns.yaml]\n',
    'extra/ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n',
  });

  it('applies resources, patches, namespace, labels, images and replicas like kustomize', () => {
    const overlay = tree('overlay', {
      'kustomization.yaml': `resources: [../base]
namespace: shop
labels:
  - pairs: {team: a}
    includeTemplates: true
patches:
  - path: patch.yaml
images:
  - {name: registry.local:5000/team/web, newTag: "2.0"}
replicas:
  - {name: web, count: 3}
`,
      'patch.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          env:
            - {name: B, value: "20"}
      volumes:
        - name: data
          emptyDir: null
          persistentVolumeClaim: {claimName: data}
`,
    });
    const [web, ns] = render(overlay) as Loose[];
    expect(web.metadata).toEqual({ name: 'web', namespace: 'shop', labels: { team: 'a' } });
    expect(web.spec.replicas).toBe(3);
    expect(web.spec.selector).toEqual({ matchLabels: { app: 'web' } }); // selectors untouched
    expect(web.spec.template.metadata.labels).toEqual({ app: 'web', team: 'a' });
    const c = web.spec.template.spec.containers[0];
    expect(c.image).toBe('registry.local:5000/team/web:2.0');
    expect(c.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '20' },
    ]);
    expect(web.spec.template.spec.volumes).toEqual([
      { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
    ]);
    expect(ns.metadata.namespace).toBeUndefined(); // cluster-scoped
  });

  it('refuses what it does not support, patches of nothing, duplicates and unused images', () => {
    expect(() => render(tree('gen', { 'kustomization.yaml': 'configMapGenerator: []\n' }))).toThrow(
      /configMapGenerator is not supported/,
    );
    expect(() =>
      render(
        tree('nopatch', {
          'kustomization.yaml': 'resources: [../base]\npatches: [{path: p.yaml}]\n',
          'p.yaml': deployment.replace('name: web', 'name: api'),
        }),
      ),
    ).toThrow(/patches Deployment\/api, which no resource defines/);
    expect(() =>
      render(tree('dup', { 'kustomization.yaml': 'resources: [../base, ../base/web.yaml]\n' })),
    ).toThrow(/Deployment\/web is defined twice/);
    expect(() =>
      render(
        tree('img', { 'kustomization.yaml': 'resources: [../base]\nimages: [{name: web, newTag: x}]\n' }),
      ),
    ).toThrow(/no container uses web/);
    expect(() =>
      render(
        tree('rep', { 'kustomization.yaml': 'resources: [../base]\nreplicas: [{name: api, count: 2}]\n' }),
      ),
    ).toThrow(/no workload named api/);
  });

  it('renders the base alone', () => {
    expect(render(base).map((o) => `${o.kind}/${o.metadata.namespace ?? '-'}`)).toEqual([
      'Deployment/shop',
      'Namespace/-',
    ]);
  });
});
