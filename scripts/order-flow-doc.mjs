// npm run docs:order-flow: rewrites the generated part of docs/patterns/order-flow.md from the
// flow's definition (libs/ordering/src/domain/order-flow.definition.ts). Run after `npm run build`;
// libs/ordering/src/application/order-flow/order-flow.doc.spec.ts fails while the page is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const require = createRequire(import.meta.url);
const { withGeneratedOrderFlow } = require(resolve('dist/libs/ordering/src/application/order-flow/order-flow.doc.js'));
const page = resolve('docs/patterns/order-flow.md');
const before = readFileSync(page, 'utf8');
const after = withGeneratedOrderFlow(before);
writeFileSync(page, after);
console.log(after === before ? 'docs/patterns/order-flow.md is up to date' : 'docs/patterns/order-flow.md regenerated');
