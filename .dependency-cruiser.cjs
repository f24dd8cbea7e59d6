/**
 * The import rules of docs/architecture.md, checked on every test run.
 * Contexts are the libs other than contracts, messaging, platform and edge.
 */
const SHARED = 'contracts|messaging|platform|projections';
const CONTEXT = `(?!(?:${SHARED}|edge)/)[^/]+`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-context-to-context',
      comment: 'A bounded context reaches another only through messages in libs/contracts.',
      severity: 'error',
      from: { path: `^libs/(${CONTEXT})/` },
      to: { path: '^libs/([^/]+)/', pathNot: [`^libs/(${SHARED})/`, '^libs/$1/'] },
    },
    {
      name: 'contracts-import-nothing-of-ours',
      comment: 'Contracts are the shared vocabulary; they depend on no other lib.',
      severity: 'error',
      from: { path: '^libs/contracts/' },
      to: { path: '^(libs|apps)/', pathNot: '^libs/contracts/' },
    },
    {
      name: 'platform-and-messaging-know-no-context',
      comment: 'Infrastructure libs serve every context and know none.',
      severity: 'error',
      from: { path: `^libs/(${SHARED})/` },
      to: { path: `^libs/(${CONTEXT}|edge)/` },
    },
    {
      name: 'platform-does-not-import-messaging',
      severity: 'error',
      from: { path: '^libs/platform/' },
      to: { path: '^libs/(messaging|projections)/' },
    },
    {
      name: 'edge-speaks-only-messages',
      comment: 'The HTTP edge reaches contexts only through the bus.',
      severity: 'error',
      from: { path: '^libs/edge/' },
      to: { path: `^libs/(${CONTEXT})/` },
    },
    {
      name: 'domain-is-pure',
      comment: 'Domain code imports no application or infrastructure code and no framework.',
      severity: 'error',
      from: { path: '^libs/[^/]+/src/domain/' },
      to: { path: ['^libs/[^/]+/src/(application|infrastructure)/', 'node_modules/(@nestjs|typeorm|pg)/'] },
    },
    {
      name: 'lib-root-only',
      comment: 'Outside a lib, import it through its root index.ts only.',
      severity: 'error',
      from: { path: '^(apps|libs/([^/]+))/' },
      to: { path: '^libs/([^/]+)/src/.+', pathNot: ['^libs/$2/', '^libs/[^/]+/src/index\\.ts$'] },
    },
    {
      name: 'apps-hold-no-logic-for-others',
      comment: 'Libs never import apps.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'no-orphans',
      severity: 'error',
      from: {
        orphan: true,
        pathNot: ['\\.d\\.ts$', '(spec|int-spec|e2e-spec)\\.ts$', '^test/', '^bench/', 'main\\.ts$', 'migrate\\.ts$', '^apps/reporting/projections\\.ts$'],
      },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['(spec|int-spec|e2e-spec)\\.ts$', '^test/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
