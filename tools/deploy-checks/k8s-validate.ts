/**
 * Schema validation of rendered Kubernetes objects: core kinds and the KEDA and Prometheus
 * Operator CRDs through the kubernetes-models validators (OpenAPI schemas of the real APIs);
 * RabbitmqCluster, for which no model package exists, through a small hand check of its fields.
 */
import { ScaledObject, TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';

/** A rendered manifest object (parsed YAML). */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

type Validator = (object: K8sObject) => void;

// Each model's constructor copies the object; validate() throws with every schema violation.
const model =
  (Model: new (data: never) => { validate(): void }): Validator =>
  (object) =>
    new Model(object as never).validate();

function checkRabbitmqCluster(object: K8sObject): void {
  const spec = object.spec ?? {};
  const problems: string[] = [];
  if (!object.metadata?.name) problems.push('metadata.name is required');
  const replicas = spec.replicas;
  if (replicas !== undefined && (!Number.isInteger(replicas) || (replicas as number) < 1))
    problems.push(`spec.replicas must be an integer >= 1 (got ${String(replicas)})`);
  const known = [
    'replicas',
    'image',
    'resources',
    'persistence',
    'rabbitmq',
    'service',
    'override',
    'tls',
    'affinity',
    'tolerations',
    'terminationGracePeriodSeconds',
    'secretBackend',
    'delayStartSeconds',
    'skipPostDeploySteps',
    'imagePullSecrets',
  ];
  for (const key of Object.keys(spec)) if (!known.includes(key)) problems.push(`spec.${key} is not a RabbitmqCluster field`);
  const rabbitmq = (spec.rabbitmq ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(rabbitmq))
    if (!['additionalPlugins', 'additionalConfig', 'advancedConfig', 'envConfig', 'erlangInetConfig'].includes(key))
      problems.push(`spec.rabbitmq.${key} is not a RabbitmqCluster field`);
  if (rabbitmq.additionalPlugins !== undefined && !Array.isArray(rabbitmq.additionalPlugins))
    problems.push('spec.rabbitmq.additionalPlugins must be a list');
  if (problems.length > 0) throw new Error(problems.join('; '));
}

const VALIDATORS: Record<string, Validator> = {
  'v1/Namespace': model(Namespace),
  'v1/ConfigMap': model(ConfigMap),
  'v1/Secret': model(Secret),
  'v1/Service': model(Service),
  'apps/v1/Deployment': model(Deployment),
  'policy/v1/PodDisruptionBudget': model(PodDisruptionBudget),
  'networking.k8s.io/v1/NetworkPolicy': model(NetworkPolicy),
  'monitoring.coreos.com/v1/ServiceMonitor': model(ServiceMonitor),
  'monitoring.coreos.com/v1/PrometheusRule': model(PrometheusRule),
  'keda.sh/v1alpha1/ScaledObject': model(ScaledObject),
  'keda.sh/v1alpha1/TriggerAuthentication': model(TriggerAuthentication),
  'rabbitmq.com/v1beta1/RabbitmqCluster': checkRabbitmqCluster,
};

/** Problems of one object, each prefixed with `Kind/name`; empty when it is valid. */
export function validateObject(object: K8sObject): string[] {
  const id = `${object.kind}/${object.metadata?.name ?? '?'}`;
  const validator = VALIDATORS[`${object.apiVersion}/${object.kind}`];
  if (validator === undefined)
    return [`${id}: no validator for ${object.apiVersion} ${object.kind} (add one to tools/deploy-checks/k8s-validate.ts)`];
  try {
    validator(object);
    return [];
  } catch (error) {
    return [`${id}: ${error instanceof Error ? error.message : String(error)}`];
  }
}
