/** A Kubernetes object as read from YAML: typed only as far as the renderer and checks need. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** `Kind/name`, how failures name an object. */
export function idOf(m: Manifest): string {
  return `${m.kind}/${m.metadata.name}`;
}

export function isManifest(x: unknown): x is Manifest {
  const m = x as Partial<Manifest> | null;
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof m.apiVersion === 'string' &&
    typeof m.kind === 'string' &&
    typeof m.metadata?.name === 'string'
  );
}
