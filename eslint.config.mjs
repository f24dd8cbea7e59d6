// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
      // A lib is reached through its root only: never its internals.
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['@commerce/*/*'], message: 'Import a lib through its root (@commerce/<lib>), never its internals.' }],
          // Message handlers are found by @nestjs/microservices (ADR 0021), not by a discovery of our own.
          paths: [
            {
              name: '@nestjs/core',
              importNames: ['DiscoveryService', 'DiscoveryModule', 'MetadataScanner'],
              message: 'Handlers are Nest controllers with @Handles / @MessagePattern / @EventPattern, served by MessagingServer (docs/adr/0021).',
            },
          ],
        },
      ],
      // No home-made handler decorator: a message handler is declared the Nest way (ADR 0021).
      'no-restricted-syntax': [
        'error',
        {
          selector: 'Decorator > CallExpression[callee.name=/^(MessageHandler|Subscribe|HandleMessage)$/]',
          message: 'Declare message handlers with @Handles(contract) (or @MessagePattern / @EventPattern) on a @Controller (docs/adr/0021).',
        },
      ],
      // Configuration is read and validated in *.config.ts files only.
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read environment variables in a *.config.ts file.' }],
    },
  },
  {
    files: ['**/*.config.ts', '**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
