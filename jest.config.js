// @ts-check
const { compilerOptions } = require('./tsconfig.json');

// NestJS 12 and a few of its dependencies ship ES modules only; Jest's module system needs them compiled.
const ESM_PACKAGES = [
  '@nestjs',
  'file-type',
  'load-esm',
  'uid',
  'strtok3',
  'token-types',
  'peek-readable',
  '@tokenizer',
  'uint8array-extras',
  '@borewit',
  'cookie',
  'content-disposition',
  'mime',
  'jose',
];

const swcTs = {
  swcrc: false,
  sourceMaps: 'inline',
  module: { type: 'commonjs' },
  jsc: {
    target: 'es2023',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    keepClassNames: true,
  },
};
const swcJs = { swcrc: false, module: { type: 'commonjs' }, jsc: { target: 'es2023', parser: { syntax: 'ecmascript' } } };

/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testRegex: '\\.(spec|int-spec|e2e-spec)\\.ts$',
  reporters: ['default', '<rootDir>/test/support/json-summary.reporter.js'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', swcTs],
    '^.+\\.(js|mjs)$': ['@swc/jest', swcJs],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  moduleNameMapper: Object.fromEntries(Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target}`])),
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  setupFiles: ['reflect-metadata', '<rootDir>/test/support/quiet-logs.ts'],
  testTimeout: 60_000,
  maxWorkers: 2,
};
