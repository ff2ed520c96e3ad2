import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { idOf, type Manifest } from './manifest';
import { validateServiceMonitor } from './service-monitor-schema';

type Validator = (m: Manifest) => void;

// kubernetes-models bundles the OpenAPI validators of each kind; a model's validate() throws with
// the JSON path of every violation.
const model =
  (Model: new (data: never) => { validate(): void }): Validator =>
  (m) =>
    new Model(m as never).validate();

const VALIDATORS: Readonly<Record<string, Validator>> = {
  'v1/Namespace': model(Namespace),
  'v1/ConfigMap': model(ConfigMap),
  'v1/PersistentVolumeClaim': model(PersistentVolumeClaim),
  'v1/Secret': model(Secret),
  'v1/Service': model(Service),
  'v1/ServiceAccount': model(ServiceAccount),
  'apps/v1/Deployment': model(Deployment),
  'apps/v1/StatefulSet': model(StatefulSet),
  'policy/v1/PodDisruptionBudget': model(PodDisruptionBudget),
  'networking.k8s.io/v1/NetworkPolicy': model(NetworkPolicy),
  // kubernetes-models has no Prometheus Operator kinds (that is @kubernetes-models/prometheus-operator).
  'monitoring.coreos.com/v1/ServiceMonitor': validateServiceMonitor,
};

/** Problems with `m`, empty when it validates; an unknown kind is a problem, not a pass. */
export function validateManifest(m: Manifest): string[] {
  const validate = VALIDATORS[`${m.apiVersion}/${m.kind}`];
  if (!validate) return [`${idOf(m)}: no validator for ${m.apiVersion} ${m.kind}`];
  const problems: string[] = [];
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(m.metadata.name) || m.metadata.name.length > 63)
    problems.push(`${idOf(m)}: metadata.name is not a DNS label`);
  try {
    validate(m);
  } catch (err) {
    problems.push(`${idOf(m)}: ${(err as Error).message}`);
  }
  return problems;
}
