import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** The lint rule that keeps handlers on Nest's decorators (ADR 0021), run as `npm run lint` runs it. */
function lint(source: string): Promise<{ ruleId: string | null; message: string }[]> {
  const root = join(__dirname, '../../../..');
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [join(root, 'node_modules/eslint/bin/eslint.js'), '--format', 'json', '--stdin', '--stdin-filename', 'libs/catalog/src/application/probe.handler.ts'],
      { cwd: root, timeout: 60_000 },
      (error, stdout) => {
        try {
          const [result] = JSON.parse(stdout) as { messages: { ruleId: string | null; message: string }[] }[];
          resolve(result.messages);
        } catch {
          reject(error ?? new Error(`eslint printed no JSON: ${stdout}`));
        }
      },
    );
    child.stdin?.end(source);
  });
}

describe('no home-made message handler discovery', () => {
  it('refuses a handler decorator of our own and Nest discovery imports', async () => {
    const messages = await lint(
      [
        "import { DiscoveryService } from '@nestjs/core';",
        'declare function MessageHandler(contract: unknown): MethodDecorator;',
        'export class ProbeHandler {',
        '  constructor(readonly discovery: DiscoveryService) {}',
        "  @MessageHandler('x')",
        '  handle(): void {}',
        '}',
        '',
      ].join('\n'),
    );
    expect(messages.map((m) => m.ruleId).sort()).toEqual(['no-restricted-imports', 'no-restricted-syntax']);
    expect(messages.find((m) => m.ruleId === 'no-restricted-syntax')?.message).toContain('@Handles');
  }, 60_000);

  it('accepts a handler declared the Nest way', async () => {
    const messages = await lint(
      [
        "import { Controller } from '@nestjs/common';",
        "import { Handles } from '@commerce/messaging';",
        "import { GetProduct, PayloadOf, ProductView } from '@commerce/contracts';",
        '@Controller()',
        'export class ProbeHandler {',
        '  @Handles(GetProduct)',
        '  async handle({ id }: PayloadOf<typeof GetProduct>): Promise<ProductView> {',
        '    throw new Error(id);',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    expect(messages).toEqual([]);
  }, 60_000);
});
