import { existsSync } from 'node:fs';
import { chromium, Browser } from 'playwright-core';
import { MonolithModule } from '../../apps/monolith/monolith.module';
import { bootHttpApp, logIn, RunningApp } from '../support/http-harness';
import { createScratchDatabase, ScratchDatabase } from '../support/postgres';
import { TEST_AUTH } from '../support/topology';

// Debian's Chromium, installed by .ci/run (apt-get install chromium); CHROMIUM_PATH overrides.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('Swagger UI in a real browser', () => {
  let scratch: ScratchDatabase;
  let app: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: run "apt-get install chromium" (.ci/run does) or set CHROMIUM_PATH.`);
    scratch = await createScratchDatabase('commerce_e2e_browser');
    app = await bootHttpApp(MonolithModule, { DATABASE_URL: scratch.url, SEED_DEMO_CATALOG: 'false', ...TEST_AUTH });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await scratch?.drop();
  });

  it('loads /docs, takes a token through Authorize, and shows 200 for "Try it out" on a protected route', async () => {
    const token = await logIn(app.baseUrl, TEST_AUTH.ADMIN_EMAIL, TEST_AUTH.ADMIN_PASSWORD);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${app.baseUrl}/docs`, { timeout: 45_000 });
    await page.locator('.swagger-ui .information-container').waitFor({ timeout: 45_000 });

    await page.locator('button.authorize').first().click();
    await page.locator('.modal-ux input').first().fill(token);
    await page.locator('.modal-ux button.authorize').first().click();
    await page.locator('.modal-ux button.btn-done').first().click();

    const operation = page.locator('#operations-auth-AuthController_me');
    await operation.locator('.opblock-summary').first().click();
    await operation.locator('button.try-out__btn').click();
    await operation.locator('button.execute').click();
    const status = operation.locator('.live-responses-table tbody .response-col_status').first();
    await status.waitFor({ timeout: 45_000 });
    expect((await status.innerText()).trim()).toBe('200'); // documented, so no "Undocumented" tag
    expect(await operation.locator('.live-responses-table .microlight').first().innerText()).toContain(TEST_AUTH.ADMIN_EMAIL);
    expect(errors.filter((e) => /Content Security Policy|Refused to/.test(e))).toEqual([]);
  }, 150_000);
});
