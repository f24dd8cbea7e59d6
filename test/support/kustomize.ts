import { applyPatch, type Operation } from 'fast-json-patch';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/** A rendered Kubernetes object. */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
};
type Labels = Record<string, string>;
type Target = { kind?: string; name?: string; labelSelector?: string };
type Kustomization = {
  apiVersion?: string;
  kind?: 'Kustomization' | 'Component';
  resources?: string[];
  components?: string[];
  patches?: { path?: string; patch?: string; target?: Target }[];
  nameSuffix?: string;
  labels?: { pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }[];
};
const FIELDS = new Set(['apiVersion', 'kind', 'resources', 'components', 'patches', 'nameSuffix', 'labels']);

/**
 * Renders a kustomization the way `kustomize build` does, for the subset deploy/k8s uses (no
 * kustomize binary ships in npm): resources, components, JSON 6902 patches with a target, a name
 * suffix and labels. Anything else is refused, so the manifests cannot silently outgrow it.
 */
export function kustomize(dir: string, accumulated: K8sObject[] = []): K8sObject[] {
  const k = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;
  const unknown = Object.keys(k).filter((f) => !FIELDS.has(f));
  if (unknown.length > 0) throw new Error(`${dir}: the test renderer does not support ${unknown.join(', ')}`);
  let objects = [...accumulated, ...(k.resources ?? []).flatMap((r) => load(resolve(dir, r)))];
  for (const c of k.components ?? []) objects = kustomize(resolve(dir, c), objects);
  for (const p of k.patches ?? []) {
    const ops = parse(p.path ? readFileSync(resolve(dir, p.path), 'utf8') : p.patch!) as Operation[];
    if (!Array.isArray(ops)) throw new Error(`${dir}: only JSON 6902 patches are supported`);
    const hits = objects.filter((o) => matches(o, p.target ?? {}));
    if (hits.length === 0) throw new Error(`${dir}: a patch matches nothing (${JSON.stringify(p.target)})`);
    objects = objects.map((o) => (hits.includes(o) ? (applyPatch(structuredClone(o), ops, true).newDocument as K8sObject) : o));
  }
  if (k.nameSuffix) objects = objects.map((o) => ({ ...o, metadata: { ...o.metadata, name: o.metadata.name + k.nameSuffix } }));
  for (const l of k.labels ?? []) objects = objects.map((o) => label(o, l.pairs, l.includeSelectors === true));
  const ids = objects.map((o) => `${o.kind}/${o.metadata.name}`);
  const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (twice.length > 0) throw new Error(`${dir}: ${twice.join(', ')} defined twice`);
  return objects;
}

function load(path: string): K8sObject[] {
  if (statSync(path).isDirectory()) {
    if (!existsSync(join(path, 'kustomization.yaml'))) throw new Error(`${path} has no kustomization.yaml`);
    return kustomize(path);
  }
  return parseAllDocuments(readFileSync(path, 'utf8')).map((d) => d.toJS() as K8sObject);
}

function matches(o: K8sObject, t: Target): boolean {
  const selector = (t.labelSelector ?? '').split(',').filter(Boolean);
  return (
    (!t.kind || t.kind === o.kind) &&
    (!t.name || new RegExp(`^${t.name}$`).test(o.metadata.name)) &&
    selector.every((s) => {
      const [key, value] = s.split('=');
      return o.metadata.labels?.[key] === value;
    })
  );
}

function label(o: K8sObject, pairs: Record<string, string>, selectors: boolean): K8sObject {
  const out = structuredClone(o);
  out.metadata.labels = { ...out.metadata.labels, ...pairs };
  if (selectors && out.kind === 'Deployment') {
    const spec = out.spec as { selector: { matchLabels: Labels }; template: { metadata: { labels: Labels } } };
    spec.selector.matchLabels = { ...spec.selector.matchLabels, ...pairs };
    spec.template.metadata.labels = { ...spec.template.metadata.labels, ...pairs };
  }
  if (selectors && out.kind === 'Service') out.spec!.selector = { ...(out.spec!.selector as Labels), ...pairs };
  return out;
}
