import { identityConfigSchema } from '@commerce/identity';
import { edgeConfigSchema } from '@commerce/edge';
import { grpcConfigSchema, messagingConfigSchema } from '@commerce/messaging';
import { notificationsConfigSchema } from '@commerce/notifications';
import { platformConfigSchema } from '@commerce/platform';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { kustomize } from '../support/kustomize';

// No cluster runs here, so each overlay is rendered and its objects checked offline.
const ROOT = resolve(__dirname, '../..');
const OVERLAYS = ['rolling', 'blue-green', 'canary'];
const APPS = readdirSync(resolve(ROOT, 'apps')).filter((a) => a !== 'monolith');
const KNOWN = new Set(
  [platformConfigSchema, messagingConfigSchema, grpcConfigSchema, identityConfigSchema, edgeConfigSchema, notificationsConfigSchema]
    .flatMap((s) => Object.keys(s.shape))
    .concat('APP'),
);
type Labels = Record<string, string>;
type Probe = { httpGet?: { path: string } };
type Container = {
  env: { name: string; value?: string }[];
  ports?: { name: string; containerPort: number }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: unknown;
  securityContext?: { readOnlyRootFilesystem?: boolean };
};
type DeploymentSpec = {
  replicas: number;
  selector: { matchLabels: Labels };
  strategy: { rollingUpdate: { maxUnavailable: number } };
  template: { metadata: { labels: Labels }; spec: { containers: Container[]; securityContext?: { runAsNonRoot?: boolean } } };
};
type ServiceSpec = { selector: Labels; clusterIP?: string; ports: { name: string; port: number; targetPort: string | number }[] };
type RouteSpec = { rules: { backendRefs: { name: string; weight: number }[] }[] };
const rendered = new Map(OVERLAYS.map((o) => [o, kustomize(resolve(ROOT, 'deploy/k8s/overlays', o))]));
const of = (overlay: string, kind: string) => rendered.get(overlay)!.filter((o) => o.kind === kind);
const deploymentsOf = (overlay: string) => of(overlay, 'Deployment').map((d) => ({ name: d.metadata.name, spec: d.spec as DeploymentSpec }));
const servicesOf = (overlay: string) => of(overlay, 'Service').map((s) => ({ name: s.metadata.name, spec: s.spec as ServiceSpec }));
type Deployment = ReturnType<typeof deploymentsOf>[number];
const app = (d: Deployment) => d.spec.template.spec.containers[0].env.find((e) => e.name === 'APP')!.value;
const track = (d: Deployment) => d.spec.template.metadata.labels.track;
const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

describe.each(OVERLAYS)('Kubernetes overlay %s', (overlay) => {
  const deployments = deploymentsOf(overlay);

  it('is valid against the Kubernetes and Gateway API schemas', () => {
    const out = execFileSync(process.execPath, [resolve(ROOT, 'test/support/validate-k8s.mjs')], { input: JSON.stringify(rendered.get(overlay)) });
    expect(JSON.parse(out.toString())).toEqual([]);
  });

  it('deploys every app except the monolith', () => {
    expect([...new Set(deployments.map(app))].sort()).toEqual([...APPS].sort());
  });

  it('rolls out without dropping below the wanted replicas, with probes on the Terminus endpoints', () => {
    for (const d of deployments) {
      const [c] = d.spec.template.spec.containers;
      expect({ name: d.name, maxUnavailable: d.spec.strategy.rollingUpdate.maxUnavailable }).toEqual({ name: d.name, maxUnavailable: 0 });
      expect([c.livenessProbe?.httpGet?.path, c.readinessProbe?.httpGet?.path, c.startupProbe?.httpGet?.path]).toEqual([
        '/health/live',
        '/health/ready',
        '/health/live',
      ]);
    }
  });

  it('runs every container non-root, read-only, with resource requests and a memory limit', () => {
    for (const d of deployments) {
      const [c] = d.spec.template.spec.containers;
      expect({ name: d.name, nonRoot: d.spec.template.spec.securityContext?.runAsNonRoot, readOnly: c.securityContext?.readOnlyRootFilesystem }).toEqual({
        name: d.name,
        nonRoot: true,
        readOnly: true,
      });
      expect(c.resources).toEqual({ requests: { cpu: expect.any(String), memory: expect.any(String) }, limits: { memory: expect.any(String) } });
    }
  });

  it('selects each Deployment its own pods only, and each Service at least one Deployment', () => {
    for (const d of deployments) {
      expect(selects(d.spec.selector.matchLabels, d.spec.template.metadata.labels)).toBe(true);
      const others = deployments.filter((o) => o !== d && selects(d.spec.selector.matchLabels, o.spec.template.metadata.labels));
      expect({ name: d.name, overlapping: others.map((o) => o.name) }).toEqual({ name: d.name, overlapping: [] });
    }
    for (const s of servicesOf(overlay)) {
      expect({ service: s.name, pods: deployments.some((d) => selects(s.spec.selector, d.spec.template.metadata.labels)) }).toEqual({
        service: s.name,
        pods: true,
      });
    }
  });

  it("reaches the catalog's gRPC port on every catalog pod through a headless Service", () => {
    const config = of(overlay, 'ConfigMap')[0].data!;
    const [, host, port] = /^dns:\/\/\/([a-z0-9-]+):(\d+)$/.exec(config.CATALOG_GRPC_URL)!;
    const service = servicesOf(overlay).find((s) => s.name === host)!;
    expect(service.spec).toMatchObject({ clusterIP: 'None', ports: [{ port: Number(port), targetPort: 'grpc' }] });
    const catalogs = deployments.filter((d) => app(d) === 'catalog');
    expect(catalogs.length).toBeGreaterThan(0);
    for (const d of catalogs) {
      expect(selects(service.spec.selector, d.spec.template.metadata.labels)).toBe(true);
      expect(d.spec.template.spec.containers[0].ports).toContainEqual({ name: 'grpc', containerPort: Number(config.GRPC_PORT) });
    }
  });

  it('sets only variables the configuration schemas know', () => {
    const names = [
      ...of(overlay, 'ConfigMap').flatMap((m) => Object.keys(m.data ?? {})),
      ...deployments.flatMap((d) => d.spec.template.spec.containers[0].env.map((e) => e.name)),
    ];
    expect(names.filter((n) => !KNOWN.has(n) && !/^[A-Z]+_DATABASE_URL$/.test(n))).toEqual([]);
  });
});

describe('Kubernetes release patterns', () => {
  const gatewayTracks = (overlay: string) =>
    deploymentsOf(overlay)
      .filter((d) => app(d) === 'gateway')
      .map(track)
      .sort();

  it('rolling: one track of each app', () => {
    expect(deploymentsOf('rolling').map(track)).toEqual(APPS.map(() => 'stable'));
  });

  it('blue-green: both gateway tracks run, and the Service sends requests to exactly one', () => {
    expect(gatewayTracks('blue-green')).toEqual(['blue', 'green']);
    const service = servicesOf('blue-green').find((s) => s.name === 'gateway')!;
    const served = deploymentsOf('blue-green').filter((d) => selects(service.spec.selector, d.spec.template.metadata.labels));
    expect(served.map((d) => d.name)).toEqual(['gateway-blue']);
  });

  it('canary: the HTTPRoute weighs a stable and a canary gateway Service, and a consumer canary runs fewer replicas', () => {
    expect(gatewayTracks('canary')).toEqual(['canary', 'stable']);
    const [route] = of('canary', 'HTTPRoute');
    const backends = (route.spec as RouteSpec).rules[0].backendRefs;
    const services = servicesOf('canary');
    const tracks = backends.map((b) => services.find((s) => s.name === b.name)!.spec.selector.track);
    expect(tracks).toEqual(['stable', 'canary']);
    expect(backends[0].weight).toBeGreaterThan(backends[1].weight);
    const catalog = deploymentsOf('canary').filter((d) => app(d) === 'catalog');
    const replicas = Object.fromEntries(catalog.map((d) => [track(d), d.spec.replicas]));
    expect(replicas.canary).toBeGreaterThan(0);
    expect(replicas.canary).toBeLessThan(replicas.stable);
  });
});
