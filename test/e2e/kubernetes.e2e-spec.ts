import { identityConfigSchema } from '@commerce/identity';
import { edgeConfigSchema } from '@commerce/edge';
import { messagingConfigSchema } from '@commerce/messaging';
import { notificationsConfigSchema } from '@commerce/notifications';
import { platformConfigSchema } from '@commerce/platform';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

// No cluster runs here, so the manifests themselves are checked.
const ROOT = resolve(__dirname, '../..');
type Container = { env?: { name: string }[]; startupProbe?: Probe; livenessProbe?: Probe; readinessProbe?: Probe };
type Probe = { httpGet?: { path: string } };
type Manifest = {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: { strategy?: { rollingUpdate?: { maxUnavailable: number } }; template: { spec: { containers: Container[] } } };
};
const manifests = parseAllDocuments(readFileSync(resolve(ROOT, 'deploy/k8s/commerce-kit.yaml'), 'utf8')).map((d) => d.toJS() as Manifest);
const deployments = manifests.filter((m) => m.kind === 'Deployment');
const KNOWN = new Set(
  [platformConfigSchema, messagingConfigSchema, identityConfigSchema, edgeConfigSchema, notificationsConfigSchema]
    .flatMap((s) => Object.keys(s.shape))
    .concat('APP'),
);

describe('Kubernetes manifests', () => {
  it('deploy every app except the monolith', () => {
    const apps = readdirSync(resolve(ROOT, 'apps')).filter((a) => a !== 'monolith');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(apps.sort());
  });

  it('roll out without dropping below the wanted replicas, with probes on the Terminus endpoints', () => {
    for (const d of deployments) {
      expect({ name: d.metadata.name, maxUnavailable: d.spec!.strategy!.rollingUpdate!.maxUnavailable }).toEqual({ name: d.metadata.name, maxUnavailable: 0 });
      const [c] = d.spec!.template.spec.containers;
      expect([c.livenessProbe?.httpGet?.path, c.readinessProbe?.httpGet?.path, c.startupProbe?.httpGet?.path]).toEqual([
        '/health/live',
        '/health/ready',
        '/health/live',
      ]);
    }
  });

  it('set only variables the configuration schemas know', () => {
    const configMap = manifests.find((m) => m.kind === 'ConfigMap')!;
    const names = [...Object.keys(configMap.data ?? {}), ...deployments.flatMap((d) => (d.spec!.template.spec.containers[0].env ?? []).map((e) => e.name))];
    expect(names.filter((n) => !KNOWN.has(n) && !/^[A-Z]+_DATABASE_URL$/.test(n))).toEqual([]);
  });
});
