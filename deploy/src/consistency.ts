import { compileConfig, type ConfigSchema, variableName } from '@athanor/service-kit';
import { templateOf } from './kustomize';
import { idOf, type Manifest } from './manifest';

/** What the manifests must agree with: each service's config schema, as the service exports it. */
export type Schemas = Readonly<Record<string, ConfigSchema>>;

// Variables a container may set besides ATHANOR_*: the trainer reads POD_NAME (worker id), and
// OpenTelemetry's standard variables configure tracing (README, Configuration).
const OTHER_VARIABLES = /^(POD_NAME|OTEL_[A-Z_]+)$/;

interface Container {
  name: string;
  ports?: { name?: string; containerPort: number }[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { configMapKeyRef?: { name: string; key: string }; secretKeyRef?: unknown };
  }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: { grpc?: { port: number }; httpGet?: { port: number | string } };
  livenessProbe?: { grpc?: { port: number }; httpGet?: { port: number | string } };
}

/**
 * Every way the rendered manifests could disagree with the services: variables a service does not
 * read or values it would reject, ports and probes on other ports than the service listens on,
 * references to ConfigMaps or keys that do not exist, peers that are not Services, a termination
 * grace shorter than the service's own shutdown grace.
 */
export function checkConsistency(objects: readonly Manifest[], schemas: Schemas): string[] {
  const problems: string[] = [];
  const configMaps = new Map(
    objects
      .filter((o) => o.kind === 'ConfigMap')
      .map((o) => [o.metadata.name, (o.data ?? {}) as Record<string, string>]),
  );
  const services = objects.filter((o) => o.kind === 'Service');

  for (const workload of objects.filter((o) => templateOf(o))) {
    const service = workload.metadata.labels?.['app.kubernetes.io/name'] ?? workload.metadata.name;
    const schema = schemas[service];
    const where = idOf(workload);
    if (!schema) {
      problems.push(`${where}: no service named ${service} (app.kubernetes.io/name)`);
      continue;
    }
    const known = new Map(Object.keys(schema).map((k) => [variableName(k), k]));
    const spec = templateOf(workload)!.spec as unknown as {
      containers: Container[];
      terminationGracePeriodSeconds?: number;
      volumes?: { name: string; configMap?: { name: string; items?: { key: string }[] } }[];
    };

    for (const c of spec.containers) {
      const at = `${where} container ${c.name}`;
      // The environment the container gets: envFrom in order (later wins), then env.
      const env: Record<string, string | undefined> = {};
      for (const from of c.envFrom ?? []) {
        if (from.secretRef) {
          problems.push(
            `${at}: envFrom secretRef ${from.secretRef.name} hides which variables are set; use env with secretKeyRef`,
          );
          continue;
        }
        const name = from.configMapRef?.name ?? '';
        const data = configMaps.get(name);
        if (!data) problems.push(`${at}: envFrom ConfigMap ${name} does not exist`);
        else Object.assign(env, data);
      }
      const opaque = new Set<string>(); // values only known in the cluster (Secrets, fieldRefs)
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.configMapKeyRef;
        if (ref) {
          const data = configMaps.get(ref.name);
          if (!data || !(ref.key in data))
            problems.push(
              `${at}: ${e.name} refers to ConfigMap ${ref.name} key ${ref.key}, which does not exist`,
            );
          env[e.name] = data?.[ref.key];
        } else if (e.valueFrom) {
          opaque.add(e.name);
          env[e.name] = undefined;
        } else env[e.name] = e.value ?? '';
      }
      for (const variable of Object.keys(env)) {
        if (variable.startsWith('ATHANOR_') ? !known.has(variable) : !OTHER_VARIABLES.test(variable))
          problems.push(`${at}: sets ${variable}, which ${service}'s configSchema does not read`);
      }
      // The service's own parser judges every value (a bad one would stop it with exit code 78).
      const readable = Object.fromEntries(
        Object.entries(env).filter(([k]) => known.has(k) && !opaque.has(k)),
      );
      let config: Record<string, unknown> = {};
      try {
        config = compileConfig(schema, readable);
      } catch (err) {
        problems.push(`${at}: ${service} would refuse its configuration: ${(err as Error).message}`);
        continue;
      }
      const defaults: Record<string, unknown> = compileConfig(schema, {});

      // Ports: the container listens where the service does by default; the manifests never move it.
      const port = (name: string) => c.ports?.find((p) => p.name === name)?.containerPort;
      if (config.grpcPort !== defaults.grpcPort)
        problems.push(`${at}: moves the gRPC port off ${String(defaults.grpcPort)}`);
      if (config.httpPort !== defaults.httpPort)
        problems.push(`${at}: moves the HTTP port off ${String(defaults.httpPort)}`);
      if (port('grpc') !== config.grpcPort)
        problems.push(
          `${at}: containerPort grpc is ${port('grpc')}, the service listens on ${String(config.grpcPort)}`,
        );
      if (port('http-metrics') !== config.httpPort)
        problems.push(
          `${at}: containerPort http-metrics is ${port('http-metrics')}, /metrics is on ${String(config.httpPort)}`,
        );
      // Probes: the kubelet's gRPC probe cannot do TLS, so under TLS it needs the plaintext health port.
      const tls = config.tlsCert !== undefined;
      const probePort = (config.healthPort as number | undefined) ?? config.grpcPort;
      if (tls && config.healthPort === undefined)
        problems.push(`${at}: TLS is on but ATHANOR_HEALTH_PORT is unset, so gRPC probes cannot connect`);
      if (config.healthPort !== undefined && port('grpc-health') !== config.healthPort)
        problems.push(
          `${at}: containerPort grpc-health is ${port('grpc-health')}, ATHANOR_HEALTH_PORT is ${config.healthPort as number}`,
        );
      for (const [kind, probe] of [
        ['readiness', c.readinessProbe],
        ['liveness', c.livenessProbe],
      ] as const) {
        if (!probe?.grpc) problems.push(`${at}: no gRPC ${kind} probe`);
        else if (probe.grpc.port !== probePort)
          problems.push(
            `${at}: ${kind} probe on ${probe.grpc.port}, health is served on ${String(probePort)}`,
          );
      }
      // Termination: the pod must outlive the service's own drain, or SIGKILL cuts it short.
      const grace = spec.terminationGracePeriodSeconds ?? 30;
      if (!(grace > (config.shutdownGraceSeconds as number)))
        problems.push(
          `${at}: terminationGracePeriodSeconds ${grace} is not above ATHANOR_SHUTDOWN_GRACE_SECONDS ${String(config.shutdownGraceSeconds)}`,
        );
      // Peers: host:port of a rendered Service's gRPC port.
      for (const [variable, value] of Object.entries(readable)) {
        if (!variable.endsWith('_ADDR') || value === undefined) continue;
        const [host, p] = value.split(':');
        const target = services.find((s) => s.metadata.name === host.split('.')[0]);
        const ports =
          (target?.spec as { ports?: { port: number; name?: string }[] } | undefined)?.ports ?? [];
        if (!target) problems.push(`${at}: ${variable}=${value} names no Service`);
        else if (!ports.some((sp) => sp.port === Number(p) && sp.name === 'grpc'))
          problems.push(`${at}: ${variable}=${value} is not ${host}'s gRPC port`);
      }
    }
    for (const v of spec.volumes ?? []) {
      if (!v.configMap) continue;
      const data = configMaps.get(v.configMap.name);
      if (!data)
        problems.push(
          `${where}: volume ${v.name} mounts ConfigMap ${v.configMap.name}, which does not exist`,
        );
      for (const item of v.configMap.items ?? [])
        if (data && !(item.key in data))
          problems.push(`${where}: volume ${v.name} needs key ${item.key} of ConfigMap ${v.configMap.name}`);
    }
  }

  // Services send traffic to the container ports they name.
  for (const s of services) {
    const selector = (s.spec as { selector?: Record<string, string> }).selector ?? {};
    const backends = objects.filter((o) => {
      const labels = templateOf(o)?.metadata?.labels ?? {};
      return templateOf(o) && Object.entries(selector).every(([k, v]) => labels[k] === v);
    });
    if (backends.length === 0) problems.push(`${idOf(s)}: selects no pods`);
    for (const sp of (s.spec as { ports: { name?: string; port: number; targetPort?: string | number }[] })
      .ports) {
      for (const b of backends) {
        const containers = (templateOf(b)!.spec as unknown as { containers: Container[] }).containers;
        const named = containers
          .flatMap((c) => c.ports ?? [])
          .find((p) => p.name === sp.targetPort || p.containerPort === sp.targetPort);
        if (!named)
          problems.push(
            `${idOf(s)}: port ${sp.name ?? sp.port} targets ${String(sp.targetPort)}, which ${idOf(b)} does not expose`,
          );
        else if (named.containerPort !== sp.port)
          problems.push(
            `${idOf(s)}: port ${sp.name} is ${sp.port} but the container listens on ${named.containerPort}`,
          );
      }
    }
  }
  return problems;
}
