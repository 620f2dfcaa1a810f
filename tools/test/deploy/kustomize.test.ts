import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runTool } from '../../deploy-checks/external-tool.js';
import { validateObject, type K8sObject } from '../../deploy-checks/k8s-validate.js';
import { REPO_ROOT } from '../../deploy-checks/known-metrics.js';
import { withTool } from './helpers.js';

const TARGETS = ['k8s/base', 'k8s/overlays/dev', 'k8s/overlays/gpu'];

interface Container {
  name: string;
  image: string;
  env?: Array<{ name: string; value?: string }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
}
interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  nodeSelector?: Record<string, string>;
  tolerations?: Array<{ key: string }>;
  securityContext?: { runAsNonRoot?: boolean };
}

const rendered = new Map<string, Promise<K8sObject[]>>();

/** `kubectl kustomize dir`, parsed; each directory is rendered once per file run. */
function render(dir: string): Promise<K8sObject[]> {
  let objects = rendered.get(dir);
  if (objects === undefined) {
    objects = runTool('kubectl', ['kustomize', dir], REPO_ROOT).then(({ code, output }) => {
      if (code !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${output}`);
      return parseAllDocuments(output).map((d) => d.toJS() as K8sObject);
    });
    rendered.set(dir, objects);
  }
  return objects;
}

const find = (objects: K8sObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} missing`);
  return found;
};
const podSpec = (o: K8sObject) => (o.spec as { template: { spec: PodSpec } }).template.spec;
const env = (c: Container, name: string) => c.env?.find((e) => e.name === name)?.value;

/** kustomize folds long base64 Secret data over lines; the API server's decoder skips newlines, the schema's regex does not. */
function unfoldSecretData(object: K8sObject): K8sObject {
  if (object.kind !== 'Secret' || typeof object.data !== 'object' || object.data === null) return object;
  const data = Object.fromEntries(Object.entries(object.data as Record<string, string>).map(([k, v]) => [k, v.replace(/\s+/g, '')]));
  return { ...object, data };
}

describe('kubernetes manifests', () => {
  withTool('kubectl', () => {
    it.each(TARGETS)('when %s is rendered, then every object passes its schema and sits in the fedssd namespace', async (dir) => {
      const objects = await render(dir);
      expect(objects.length).toBeGreaterThan(15);
      expect(objects.flatMap((o) => validateObject(unfoldSecretData(o)))).toEqual([]);
      for (const o of objects.filter((x) => x.kind !== 'Namespace'))
        expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe('fedssd');
    });

    it.each(TARGETS)('when %s is rendered, then its deployments keep the operational invariants', async (dir) => {
      const objects = await render(dir);
      const api = find(objects, 'Deployment', 'fedssd-api');
      const aggregator = find(objects, 'Deployment', 'fedssd-aggregator');
      const trainer = find(objects, 'Deployment', 'fedssd-trainer');
      const apiContainer = podSpec(api).containers[0]!;
      expect(apiContainer.livenessProbe?.httpGet?.path).toBe('/healthz');
      expect(apiContainer.readinessProbe?.httpGet?.path).toBe('/readyz');
      // Replicas share runs through leases: a rolling update never has fewer than the desired count.
      expect(aggregator.spec).toMatchObject({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } } });
      expect(Number(env(podSpec(aggregator).containers[0]!, 'AGGREGATOR_LEASE_MS'))).toBeGreaterThanOrEqual(1000);
      const config = find(objects, 'ConfigMap', 'fedssd-config').data as Record<string, string>;
      expect(Number(config.FEDSSD_JOB_ATTEMPTS)).toBeGreaterThanOrEqual(1);
      expect(podSpec(trainer).containers[0]!.resources?.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
      for (const deployment of [api, aggregator, trainer]) {
        const spec = podSpec(deployment);
        const graceMs = Number(env(spec.containers[0]!, 'SHUTDOWN_GRACE_MS'));
        expect(graceMs, deployment.metadata.name).toBeGreaterThan(0);
        expect(spec.terminationGracePeriodSeconds! * 1000, deployment.metadata.name).toBeGreaterThan(graceMs);
        expect(spec.securityContext?.runAsNonRoot, deployment.metadata.name).toBe(true);
      }
      // Selectors of PDBs and Services match their pods.
      for (const name of ['fedssd-api', 'fedssd-trainer', 'fedssd-aggregator']) {
        const pdb = find(objects, 'PodDisruptionBudget', name);
        expect((pdb.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels).toEqual({
          'app.kubernetes.io/name': name,
        });
      }
      expect(objects.filter((o) => o.kind === 'NetworkPolicy').length).toBeGreaterThanOrEqual(3);
      const scaled = find(objects, 'ScaledObject', 'fedssd-trainer').spec as {
        scaleTargetRef: { name: string };
        triggers: Array<{ type: string; metadata: Record<string, string>; authenticationRef: { name: string } }>;
      };
      expect(scaled.scaleTargetRef.name).toBe('fedssd-trainer');
      expect(scaled.triggers[0]).toMatchObject({ type: 'rabbitmq', metadata: { queueName: 'fedssd.jobs', mode: 'QueueLength' } });
      const auth = find(objects, 'TriggerAuthentication', scaled.triggers[0]!.authenticationRef.name).spec as {
        secretTargetRef: Array<{ name: string; key: string }>;
      };
      const secret = find(objects, 'Secret', auth.secretTargetRef[0]!.name);
      const keys = Object.keys({ ...(secret.data as object), ...(secret.stringData as object) });
      expect(keys).toEqual(expect.arrayContaining([auth.secretTargetRef[0]!.key, 'api-token', 'rabbitmq-url', 'redis-url']));
      find(objects, 'ServiceMonitor', 'fedssd');
      find(objects, 'PrometheusRule', 'fedssd');
      find(objects, 'RabbitmqCluster', 'fedssd-rabbitmq');
    });

    it('when the dev overlay is rendered, then it runs one of everything', async () => {
      const objects = await render('k8s/overlays/dev');
      for (const name of ['fedssd-api', 'fedssd-aggregator', 'fedssd-trainer'])
        expect(find(objects, 'Deployment', name).spec!.replicas, name).toBe(1);
      expect(find(objects, 'ScaledObject', 'fedssd-trainer').spec).toMatchObject({ minReplicaCount: 1, maxReplicaCount: 1 });
      expect(find(objects, 'RabbitmqCluster', 'fedssd-rabbitmq').spec).toMatchObject({ replicas: 1 });
    });

    it('when the base is rendered, then two aggregator replicas run, spread over nodes, and a drain takes at most one', async () => {
      const objects = await render('k8s/base');
      const aggregator = find(objects, 'Deployment', 'fedssd-aggregator');
      expect(aggregator.spec!.replicas).toBe(2);
      const spread = (podSpec(aggregator) as { affinity?: { podAntiAffinity?: unknown } }).affinity?.podAntiAffinity;
      expect(JSON.stringify(spread)).toContain('kubernetes.io/hostname');
      expect(find(objects, 'PodDisruptionBudget', 'fedssd-aggregator').spec).toMatchObject({ maxUnavailable: 1 });
    });

    it('when the base is rendered, then the broker is a 3-node cluster, spread over nodes, and a drain takes at most one node', async () => {
      const objects = await render('k8s/base');
      const broker = find(objects, 'RabbitmqCluster', 'fedssd-rabbitmq').spec as { replicas: number; affinity?: unknown };
      // Quorum queues keep working with 2 of 3 nodes (tests/faults/rabbitmq-cluster.int.test.ts).
      expect(broker.replicas).toBe(3);
      expect(JSON.stringify(broker.affinity)).toContain('kubernetes.io/hostname');
      const pdb = find(objects, 'PodDisruptionBudget', 'fedssd-rabbitmq').spec as { maxUnavailable: number; selector: unknown };
      expect(pdb).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'fedssd-rabbitmq' } } });
    });

    it('when the gpu overlay is rendered, then trainers run the CUDA image on GPU nodes with one GPU each', async () => {
      const objects = await render('k8s/overlays/gpu');
      const spec = podSpec(find(objects, 'Deployment', 'fedssd-trainer'));
      const trainer = spec.containers[0]!;
      expect(trainer.image).toMatch(/^fedssd\/trainer-gpu:/);
      expect(trainer.resources?.limits?.['nvidia.com/gpu']).toBe('1');
      expect(env(trainer, 'FEDSSD_BACKEND')).toBe('tensorflow');
      expect(env(trainer, 'SHUTDOWN_GRACE_MS')).toBe('60000');
      expect(spec.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
      expect(spec.tolerations?.map((t) => t.key)).toContain('nvidia.com/gpu');
      // The api and aggregator stay on the CPU image.
      expect(podSpec(find(objects, 'Deployment', 'fedssd-api')).containers[0]!.image).toMatch(/^fedssd\/api:/);
    });

    it.each(TARGETS)(
      'when %s is rendered, then the api takes its admin token and enrolment settings from the optional fedssd-admin Secret only',
      async (dir) => {
        const objects = await render(dir);
        type SecretEnv = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } } };
        const api = podSpec(find(objects, 'Deployment', 'fedssd-api')).containers[0]! as unknown as { env?: SecretEnv[] };
        const admin = [
          'FEDSSD_ADMIN_TOKEN',
          'RABBITMQ_MANAGEMENT_URL',
          'REDIS_ADMIN_URL',
          'FEDSSD_SITE_RABBITMQ_URL',
          'FEDSSD_SITE_REDIS_URL',
        ];
        for (const name of admin) {
          const entry = api.env?.find((e) => e.name === name);
          expect(entry?.value, name).toBeUndefined(); // never a literal in a manifest
          expect(entry?.valueFrom?.secretKeyRef, name).toMatchObject({ name: 'fedssd-admin', optional: true });
        }
        // The API token's Secret holds no admin key: the two tokens are managed (and readable) apart.
        const secrets = find(objects, 'Secret', 'fedssd-secrets');
        expect(Object.keys({ ...(secrets.data as object), ...(secrets.stringData as object) })).not.toContain('admin-token');
        const adminSecret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === 'fedssd-admin');
        if (dir === 'k8s/overlays/dev') {
          const keys = Object.keys({ ...(adminSecret?.data as object), ...(adminSecret?.stringData as object) });
          expect(keys.sort()).toEqual(['admin-token', 'rabbitmq-management-url', 'redis-admin-url', 'site-rabbitmq-url', 'site-redis-url']);
        } else {
          expect(adminSecret, `${dir} ships no admin credentials`).toBeUndefined();
        }
      },
    );

    it('when a rendered object breaks its schema, then validation names it', () => {
      const broken = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'x' },
        spec: { replicas: 'two', selector: {}, template: { spec: { containers: [{ image: 'x' }] } } },
      };
      expect(validateObject(broken as K8sObject).join('\n')).toMatch(
        /Deployment\/x: .*replicas must be integer.*must have required property name/,
      );
      expect(
        validateObject({ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'y' }, spec: { triggers: [] } })[0],
      ).toMatch(/scaleTargetRef/);
      expect(validateObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'z' } })[0]).toMatch(/no validator/);
    });
  });
});
