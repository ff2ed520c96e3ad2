import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema as metrics } from '@athanor/metrics';
import { configSchema as modelBuilder } from '@athanor/model-builder';
import { configSchema as trainer } from '@athanor/trainer';
import { configSchema as tuner } from '@athanor/tuner';
import { describe, expect, it } from 'vitest';
import { checkConsistency, type Schemas } from './src/consistency';
import { readYamlFile, render, templateOf } from './src/kustomize';
import type { Manifest } from './src/manifest';
import { repoRoot } from './src/repo';
import { validateManifest } from './src/validate-manifest';

// Both overlays rendered the way `kubectl apply -k` would, each object validated offline against
// the Kubernetes schemas, and the whole tied to the services' own config schemas (imported from
// the services, so a variable they add or drop shows up here).
// Tests read deep into rendered objects; a precise type for each path would be longer than the test.
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument */
type Loose = any;

const k8s = join(repoRoot, 'deploy', 'k8s');
const schemas: Schemas = { 'model-builder': modelBuilder, trainer, tuner, metrics };
const overlays = { cpu: render(join(k8s, 'overlays', 'cpu')), gpu: render(join(k8s, 'overlays', 'gpu')) };

const find = (objects: Manifest[], kind: string, name: string) => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`${kind}/${name} is not rendered`);
  return o;
};
const podSpec = (o: Manifest) => templateOf(o)!.spec as unknown as Record<string, Loose>;

describe.each(Object.entries(overlays))('overlay %s', (_, objects) => {
  it('renders every service with its Service, ServiceAccount, PodDisruptionBudget and NetworkPolicy', () => {
    for (const name of Object.keys(schemas))
      for (const kind of ['Deployment', 'Service', 'ServiceAccount', 'PodDisruptionBudget', 'NetworkPolicy'])
        expect(() => find(objects, kind, name)).not.toThrow();
    expect(find(objects, 'NetworkPolicy', 'athanor-default-deny').spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress'],
    });
  });

  it('validates every object against the Kubernetes schemas', () => {
    expect(objects.flatMap(validateManifest)).toEqual([]);
  });

  it('agrees with the services: variables, values, ports, probes, ConfigMap keys, peers, grace', () => {
    expect(checkConsistency(objects, schemas)).toEqual([]);
  });

  it('puts every namespaced object in the athanor namespace, labelled part-of athanor', () => {
    for (const o of objects.filter((x) => x.kind !== 'Namespace')) {
      expect(o.metadata.namespace, o.metadata.name).toBe('athanor');
      expect(o.metadata.labels?.['app.kubernetes.io/part-of']).toBe('athanor');
    }
  });

  it('runs every container non-root, read-only, without privilege escalation, with limits', () => {
    for (const o of objects.filter((x) => templateOf(x))) {
      const spec = podSpec(o);
      expect(spec.securityContext.runAsNonRoot).toBe(true);
      for (const c of spec.containers) {
        expect(c.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
        });
        expect(Object.keys(c.resources.requests).sort()).toEqual(['cpu', 'memory']);
        expect(c.resources.limits.memory).toBeDefined();
      }
    }
  });

  it('allows only the architecture’s flows into each service: its callers’ pods, clients, Prometheus', () => {
    const sources = (name: string) =>
      ((find(objects, 'NetworkPolicy', name).spec as Loose).ingress as Loose[]).map((rule) => ({
        port: rule.ports[0].port,
        from: rule.from.map((f: Loose) => f.podSelector.matchLabels),
      }));
    // Who calls whom, read from the services' own configuration (ATHANOR_<PEER>_ADDR).
    const services = ['model-builder', 'trainer', 'tuner', 'metrics'];
    const callers = (peer: string) =>
      services.filter((s) => {
        const data = find(objects, 'ConfigMap', `${s}-config`).data as Record<string, string>;
        return `ATHANOR_${peer.toUpperCase().replace('-', '_')}_ADDR` in data;
      });
    expect(callers('metrics')).toEqual(['trainer', 'tuner']);
    expect(callers('model-builder')).toEqual(['trainer']);
    // Nothing calls the trainer but clients: trials are pulled from the tuner, never pushed.
    expect(callers('trainer')).toEqual([]);
    const clients = { 'athanor.dev/client': 'true' };
    const prometheus = [{ 'app.kubernetes.io/name': 'prometheus' }];
    for (const peer of services)
      expect(sources(peer), peer).toEqual([
        { port: 'grpc', from: [...callers(peer).map((c) => ({ 'app.kubernetes.io/name': c })), clients] },
        { port: 'http-metrics', from: prometheus },
      ]);
  });
});

describe('overlay cpu', () => {
  const objects = overlays.cpu;
  it('keeps the tuner’s SQLite database on a PersistentVolumeClaim, one replica, Recreate', () => {
    const tunerDeployment = find(objects, 'Deployment', 'tuner');
    expect(podSpec(tunerDeployment).volumes).toContainEqual({
      name: 'data',
      persistentVolumeClaim: { claimName: 'tuner-data' },
    });
    expect(tunerDeployment.spec).toMatchObject({ replicas: 1, strategy: { type: 'Recreate' } });
    expect(find(objects, 'PersistentVolumeClaim', 'tuner-data').spec).toMatchObject({
      accessModes: ['ReadWriteOnce'],
    });
    expect(objects.some((o) => o.kind === 'ServiceMonitor')).toBe(false);
  });
});

describe('overlay gpu', () => {
  const objects = overlays.gpu;
  const trainerDeployment = find(objects, 'Deployment', 'trainer');
  const spec = podSpec(trainerDeployment);

  it('puts each trainer on one GPU of a GPU node, from the GPU image, scaled by replicas', () => {
    expect(trainerDeployment.spec).toMatchObject({ replicas: 4 });
    expect(spec.containers[0].image).toBe('athanor/trainer-gpu:0.1.0');
    expect(spec.containers[0].resources.limits['nvidia.com/gpu']).toBe(1);
    expect(spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(spec.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
    // The patch merged into the base container rather than replacing it.
    expect(spec.containers[0].readinessProbe).toEqual({
      grpc: { port: 50062 },
      periodSeconds: 5,
      failureThreshold: 2,
    });
  });

  it('shares checkpoints between trainers on a ReadWriteMany volume', () => {
    expect(spec.volumes).toContainEqual({
      name: 'checkpoints',
      persistentVolumeClaim: { claimName: 'trainer-checkpoints' },
    });
    expect(find(objects, 'PersistentVolumeClaim', 'trainer-checkpoints').spec).toMatchObject({
      accessModes: ['ReadWriteMany'],
    });
  });

  it('runs several tuners on PostgreSQL from a DSN Secret', () => {
    const tunerDeployment = find(objects, 'Deployment', 'tuner');
    expect(tunerDeployment.spec).toMatchObject({ replicas: 2, strategy: { type: 'RollingUpdate' } });
    expect(podSpec(tunerDeployment).containers[0].env).toEqual([
      { name: 'ATHANOR_STORE_URL', valueFrom: { secretKeyRef: { name: 'athanor-tuner-store', key: 'url' } } },
    ]);
  });

  it('has a ServiceMonitor that kube-prometheus-stack selects, matching the Services', () => {
    const monitor = find(objects, 'ServiceMonitor', 'athanor');
    expect(monitor.metadata.labels?.release).toBe('kube-prometheus-stack');
    const selector = (monitor.spec as { selector: { matchLabels: Record<string, string> } }).selector
      .matchLabels;
    const selected = objects.filter(
      (o) => o.kind === 'Service' && Object.entries(selector).every(([k, v]) => o.metadata.labels?.[k] === v),
    );
    expect(selected.map((s) => s.metadata.name).sort()).toEqual([
      'metrics',
      'model-builder',
      'trainer',
      'tuner',
    ]);
    for (const s of selected)
      expect((s.spec as { ports: { name: string }[] }).ports.map((p) => p.name)).toContain('http-metrics');
  });
});

describe('Grafana dashboards (deploy/grafana, from the metrics service)', () => {
  const dir = join(repoRoot, 'deploy', 'grafana', 'configmaps');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yaml')) : [];

  it.each(files)('%s is a valid ConfigMap for the Grafana sidecar, with dashboard JSON', (file) => {
    for (const m of readYamlFile(join(dir, file))) {
      expect(validateManifest(m)).toEqual([]);
      expect(m.metadata.labels?.grafana_dashboard).toBe('1');
      for (const json of Object.values(m.data as Record<string, string>))
        expect(() => JSON.parse(json) as unknown).not.toThrow();
    }
  });
});

describe('the checks fail when they should', () => {
  const broken = (mutate: (objects: Manifest[]) => void) => {
    const objects = structuredClone(overlays.cpu);
    mutate(objects);
    return checkConsistency(objects, schemas);
  };

  it('catches a variable the service does not read, and a value it would refuse', () => {
    expect(
      broken(
        (o) =>
          ((find(o, 'ConfigMap', 'tuner-config').data as Record<string, string>).ATHANOR_TUNER_MAGIC = '1'),
      ),
    ).toContainEqual(
      expect.stringContaining("sets ATHANOR_TUNER_MAGIC, which tuner's configSchema does not read"),
    );
    expect(
      broken(
        (o) =>
          ((find(o, 'ConfigMap', 'athanor-common').data as Record<string, string>).ATHANOR_LOG_LEVEL =
            'loud'),
      ),
    ).toContainEqual(expect.stringContaining('would refuse its configuration: ATHANOR_LOG_LEVEL'));
  });

  it('catches a wrong containerPort, probe port, peer address, grace and missing ConfigMap key', () => {
    expect(
      broken((o) => (podSpec(find(o, 'Deployment', 'metrics')).containers[0].ports[0].containerPort = 50055)),
    ).toContainEqual(expect.stringContaining('containerPort grpc is 50055, the service listens on 50054'));
    expect(
      broken((o) => (podSpec(find(o, 'Deployment', 'tuner')).containers[0].livenessProbe.grpc.port = 50053)),
    ).toContainEqual(expect.stringContaining('liveness probe on 50053, health is served on 50063'));
    expect(
      broken(
        (o) =>
          ((find(o, 'ConfigMap', 'trainer-config').data as Record<string, string>).ATHANOR_TUNER_ADDR =
            'tuner:50051'),
      ),
    ).toContainEqual(expect.stringContaining("ATHANOR_TUNER_ADDR=tuner:50051 is not tuner's gRPC port"));
    expect(
      broken((o) => (podSpec(find(o, 'Deployment', 'trainer')).terminationGracePeriodSeconds = 30)),
    ).toContainEqual(
      expect.stringContaining(
        'terminationGracePeriodSeconds 30 is not above ATHANOR_SHUTDOWN_GRACE_SECONDS 55',
      ),
    );
    expect(
      broken((o) =>
        podSpec(find(o, 'Deployment', 'trainer')).containers[0].env.push({
          name: 'ATHANOR_LOG_LEVEL',
          valueFrom: { configMapKeyRef: { name: 'athanor-common', key: 'LOG_LEVEL' } },
        }),
      ),
    ).toContainEqual(
      expect.stringContaining('refers to ConfigMap athanor-common key LOG_LEVEL, which does not exist'),
    );
  });

  it('catches an invalid object', () => {
    const deployment = structuredClone(find(overlays.cpu, 'Deployment', 'tuner'));
    (podSpec(deployment).containers[0] as Record<string, unknown>).ports = [
      { name: 'grpc', containerPort: 'fifty' },
    ];
    expect(validateManifest(deployment).join()).toMatch(/containerPort/);
    const monitor = structuredClone(find(overlays.gpu, 'ServiceMonitor', 'athanor'));
    (monitor.spec as { endpoints: Record<string, unknown>[] }).endpoints[0].interval = 'often';
    expect(validateManifest(monitor).join()).toMatch(/interval must be a duration/);
  });
});
