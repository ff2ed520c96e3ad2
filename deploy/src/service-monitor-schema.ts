import type { Manifest } from './manifest';

/**
 * The fields of monitoring.coreos.com/v1 ServiceMonitor that deploy/k8s uses, checked the way the
 * CRD's OpenAPI schema does (prometheus-operator's servicemonitors CRD): required selector, a
 * non-empty endpoints list, each endpoint naming a port, durations like `15s`. Unknown fields are
 * errors here (the CRD prunes them silently, which would hide a typo).
 */
const ENDPOINT_FIELDS = new Set([
  'port',
  'targetPort',
  'path',
  'scheme',
  'interval',
  'scrapeTimeout',
  'honorLabels',
  'tlsConfig',
  'bearerTokenSecret',
  'relabelings',
  'metricRelabelings',
]);
const SPEC_FIELDS = new Set([
  'selector',
  'endpoints',
  'namespaceSelector',
  'jobLabel',
  'targetLabels',
  'podTargetLabels',
  'sampleLimit',
]);
const DURATION =
  /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;

export function validateServiceMonitor(m: Manifest): void {
  const problems: string[] = [];
  const spec = m.spec as Record<string, unknown> | undefined;
  if (typeof spec !== 'object' || spec === null) throw new Error('data/spec must be object');
  for (const key of Object.keys(spec))
    if (!SPEC_FIELDS.has(key)) problems.push(`data/spec/${key} is not a known field`);
  const selector = spec.selector as { matchLabels?: unknown } | undefined;
  if (typeof selector !== 'object' || selector === null)
    problems.push('data/spec must have required property selector');
  else if (selector.matchLabels !== undefined && !isStringMap(selector.matchLabels))
    problems.push('data/spec/selector/matchLabels must be a map of strings');
  const endpoints = spec.endpoints;
  if (!Array.isArray(endpoints) || endpoints.length === 0)
    problems.push('data/spec/endpoints must be a non-empty array');
  else
    endpoints.forEach((e: Record<string, unknown>, i) => {
      const at = `data/spec/endpoints/${i}`;
      for (const key of Object.keys(e))
        if (!ENDPOINT_FIELDS.has(key)) problems.push(`${at}/${key} is not a known field`);
      if (typeof e.port !== 'string' && e.targetPort === undefined) problems.push(`${at} must name a port`);
      for (const d of ['interval', 'scrapeTimeout'])
        if (e[d] !== undefined && (typeof e[d] !== 'string' || !DURATION.test(e[d])))
          problems.push(`${at}/${d} must be a duration`);
      if (e.path !== undefined && (typeof e.path !== 'string' || !e.path.startsWith('/')))
        problems.push(`${at}/path must start with /`);
      if (e.honorLabels !== undefined && typeof e.honorLabels !== 'boolean')
        problems.push(`${at}/honorLabels must be boolean`);
      if (e.scheme !== undefined && !['http', 'https'].includes(e.scheme as string))
        problems.push(`${at}/scheme must be http or https`);
    });
  if (problems.length > 0) throw new Error(problems.join(', '));
}

function isStringMap(x: unknown): boolean {
  return typeof x === 'object' && x !== null && Object.values(x).every((v) => typeof v === 'string');
}
