import { PersistentVolumeClaim } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { credentialsBundle } from '../src/index.js';
import { runTool } from '../../../tools/deploy-checks/external-tool.js';
import { validateObject, type K8sObject } from '../../../tools/deploy-checks/k8s-validate.js';
import { REPO_ROOT } from '../../../tools/deploy-checks/known-metrics.js';
import { withTool } from '../../../tools/test/deploy/helpers.js';

interface Container {
  env?: Array<{ name: string; value?: string }>;
  envFrom?: Array<{ secretRef?: { name: string }; configMapRef?: { name: string } }>;
  resources?: { requests?: Record<string, string> };
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}
interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean };
  volumes?: Array<{ name: string; persistentVolumeClaim?: { claimName: string; readOnly?: boolean } }>;
}

async function render(): Promise<K8sObject[]> {
  const { code, output } = await runTool('kubectl', ['kustomize', 'k8s/overlays/site'], REPO_ROOT);
  if (code !== 0) throw new Error(`kubectl kustomize k8s/overlays/site failed:\n${output}`);
  return parseAllDocuments(output).map((d) => d.toJS() as K8sObject);
}

/** The deploy checks' validators, plus the claim of the data volume (a kind only this overlay has). */
function problems(object: K8sObject): string[] {
  if (object.kind !== 'PersistentVolumeClaim') return validateObject(object);
  try {
    new PersistentVolumeClaim(object as never).validate();
    return [];
  } catch (error) {
    return [`PersistentVolumeClaim/${object.metadata.name}: ${(error as Error).message}`];
  }
}

describe('k8s/overlays/site', () => {
  withTool('kubectl', () => {
    it('when rendered, then every object passes its schema, sits in the fedssd namespace, and no Secret is committed', async () => {
      const objects = await render();
      expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
        'ConfigMap/fedssd-site-config',
        'Deployment/fedssd-site-trainer',
        'Namespace/fedssd',
        'NetworkPolicy/fedssd-site-trainer',
        'PersistentVolumeClaim/fedssd-site-data',
      ]);
      expect(objects.flatMap(problems)).toEqual([]);
      for (const o of objects.filter((x) => x.kind !== 'Namespace'))
        expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe('fedssd');
    });

    it("when rendered, then the trainer keeps the deploy checks' invariants and reads its data read-only and its credentials from the bundle's Secret", async () => {
      const objects = await render();
      const deployment = objects.find((o) => o.kind === 'Deployment')!;
      const spec = (deployment.spec as { template: { spec: PodSpec } }).template.spec;
      const trainer = spec.containers[0]!;
      const graceMs = Number(trainer.env?.find((e) => e.name === 'SHUTDOWN_GRACE_MS')?.value);
      expect(graceMs).toBeGreaterThan(0);
      expect(spec.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(graceMs);
      expect(spec.securityContext?.runAsNonRoot).toBe(true);
      expect(trainer.resources?.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
      const config = objects.find((o) => o.kind === 'ConfigMap')!.data as Record<string, string>;
      expect(trainer.volumeMounts).toContainEqual({ name: 'data', mountPath: config.SITE_DATA_DIR, readOnly: true });
      expect(spec.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'fedssd-site-data', readOnly: true } });
      const bundleSecret = parse(
        credentialsBundle({
          site: 's',
          prefix: '',
          user: 'site-s',
          rabbitPassword: 'p',
          redisPassword: 'q',
          rabbitUrl: 'amqp://h',
          redisUrl: 'redis://h',
          enrolledAt: 'now',
        }).secretYaml,
      ) as { metadata: { name: string } };
      expect(trainer.envFrom).toContainEqual({ secretRef: { name: bundleSecret.metadata.name } });
      const policy = objects.find((o) => o.kind === 'NetworkPolicy')!.spec as { policyTypes: string[] };
      expect(policy.policyTypes).toEqual(['Ingress', 'Egress']);
    });
  });
});
