import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import type { common } from '@athanor/contracts';

export interface ComputeDescription {
  readonly backend: string;
  readonly device: string;
  readonly tried: readonly { backend: string; selected: boolean; reason: string }[];
}

/** GetServiceInfo's answer: what this process is and, for services that compute, on which backend. */
export function describeService(
  name: string,
  version: string,
  startedAt: Date,
  compute?: ComputeDescription,
): common.ServiceInfo {
  return {
    name,
    version,
    computeBackend: compute?.backend ?? '',
    backendsTried: compute ? compute.tried.map((t) => ({ ...t })) : [],
    startedAt,
    device: compute?.device ?? '',
    instanceId: process.env.POD_NAME ?? `${hostname()}-${process.pid}`,
  };
}

/** The version in the package.json beside `dir` (a package's dist/ or src/ folder). */
export function packageVersion(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, '..', 'package.json'), 'utf8')) as { version: string }).version;
}
