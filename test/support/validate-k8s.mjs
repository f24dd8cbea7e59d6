// Validates Kubernetes objects (a JSON array on stdin) against the API's OpenAPI schemas shipped in
// kubernetes-models and @kubernetes-models/gateway-api; prints one line per invalid object.
// Plain ESM on purpose: those packages export ES modules only.
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1';
import { readFileSync } from 'node:fs';

const MODELS = { 'v1/ConfigMap': ConfigMap, 'v1/Service': Service, 'apps/v1/Deployment': Deployment, 'gateway.networking.k8s.io/v1/HTTPRoute': HTTPRoute };
const problems = [];
for (const object of JSON.parse(readFileSync(0, 'utf8'))) {
  const id = `${object.kind}/${object.metadata?.name}`;
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) {
    problems.push(`${id}: no schema for ${object.apiVersion} ${object.kind}`);
    continue;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push(`${id}: ${error.message}`);
  }
}
process.stdout.write(JSON.stringify(problems));
