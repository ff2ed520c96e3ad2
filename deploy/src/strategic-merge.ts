/**
 * The part of Kubernetes' strategic merge patch the overlays use: maps merge recursively, `null`
 * deletes a field, and lists of named things merge item by item on their key (containers by name,
 * env by name, ports by containerPort, ...). Any other list is replaced, as in kustomize.
 */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  env: 'name',
  ports: 'containerPort',
  imagePullSecrets: 'name',
};

export function strategicMerge(target: unknown, patch: unknown, field?: string): unknown {
  if (patch === null) return undefined;
  if (Array.isArray(patch)) {
    const key = field === undefined ? undefined : MERGE_KEYS[field];
    if (!key || !Array.isArray(target)) return clone(patch);
    const out = (target as unknown[]).map(clone);
    for (const item of patch as Record<string, unknown>[]) {
      const i = out.findIndex((t) => (t as Record<string, unknown>)[key] === item[key]);
      if (item.$patch === 'delete') {
        if (i >= 0) out.splice(i, 1);
      } else if (i >= 0) out[i] = strategicMerge(out[i], item);
      else out.push(strategicMerge(undefined, item));
    }
    return out;
  }
  if (typeof patch === 'object') {
    const base = typeof target === 'object' && target !== null && !Array.isArray(target) ? target : {};
    const out: Record<string, unknown> = { ...(clone(base) as Record<string, unknown>) };
    for (const [k, v] of Object.entries(patch)) {
      if (k === '$patch') continue;
      const merged = strategicMerge(out[k], v, k);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    }
    return out;
  }
  return patch;
}

function clone<T>(x: T): T {
  return x === undefined ? x : (JSON.parse(JSON.stringify(x)) as T);
}
