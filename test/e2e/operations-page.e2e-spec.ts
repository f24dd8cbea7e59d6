import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { MonolithModule } from '../../apps/monolith/monolith.module';
import { TEST_ADDRESS } from '../support/fixtures';
import { bearer, bootHttpApp, call, logIn, RunningApp } from '../support/http-harness';
import { createScratchDatabase, ScratchDatabase } from '../support/postgres';
import { TEST_AUTH } from '../support/topology';
import { waitUntil } from '../support/wait-until';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TERMINAL = ['CONFIRMED', 'REJECTED', 'CANCELLED', 'COMPENSATION_FAILED'];

describe("the operator's page in a real browser", () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let scratch: ScratchDatabase;
  let app: RunningApp;
  let browser: Browser;
  let work: string | undefined;
  let mailDir: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: run "apt-get install chromium" (.ci/run does) or set CHROMIUM_PATH.`);
    provider.register();
    scratch = await createScratchDatabase('commerce_e2e_ops');
    work = mkdtempSync(join(tmpdir(), 'commerce-ops-'));
    // A file where the mail directory should be: every notification fails until it is fixed.
    mailDir = join(work, 'mail');
    writeFileSync(mailDir, 'not a directory');
    app = await bootHttpApp(MonolithModule, {
      DATABASE_URL: scratch.url,
      SEED_DEMO_CATALOG: 'false',
      MAIL_DIR: mailDir,
      RETRY_DELAYS_MS: '50,50',
      ...TEST_AUTH,
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await scratch?.drop();
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const signIn = async (page: Page, email: string, password: string) => {
    await page.goto(`${app.baseUrl}/ops`, { timeout: 20_000 });
    expect(new URL(page.url()).pathname).toBe('/ops/login');
    await page.locator('input[name=email]').fill(email);
    await page.locator('input[name=password]').fill(password);
    await page.locator('form[action="/ops/login"] button[type=submit]').click();
    await page.waitForLoadState();
  };

  it('shows an admin each order and its timeline, and replays a dead letter; a customer gets 403', async () => {
    const admin = bearer(await logIn(app.baseUrl, TEST_AUTH.ADMIN_EMAIL, TEST_AUTH.ADMIN_PASSWORD));
    const customerPassword = `pw-${randomUUID()}`;
    const customerEmail = `ops-${randomUUID().slice(0, 8)}@example.com`;
    expect((await call(app.baseUrl, 'POST', '/api/auth/register', { email: customerEmail, password: customerPassword, name: 'Ops Customer' })).status).toBe(
      201,
    );
    const customer = bearer(await logIn(app.baseUrl, customerEmail, customerPassword));
    const productId = (
      await call(
        app.baseUrl,
        'POST',
        '/api/products',
        { sku: `OPS-${randomUUID().slice(0, 8)}`, name: 'Lamp', category: 'test', price: { amount: 900, currency: 'EUR' }, initialStock: 5 },
        admin,
      )
    ).body.id as string;
    const place = async (paymentToken: string) =>
      (
        await call(
          app.baseUrl,
          'POST',
          '/api/orders',
          { lines: [{ productId, quantity: 1 }], shippingAddress: TEST_ADDRESS, paymentToken, email: 'ops@example.com' },
          customer,
        )
      ).body.orderId as string;
    const confirmed = await place('tok_visa');
    const declined = await place('tok_declined');
    for (const id of [confirmed, declined]) {
      await waitUntil(
        `order ${id} to settle`,
        async () => TERMINAL.includes((await call(app.baseUrl, 'GET', `/api/orders/${id}`, undefined, admin)).body.status as string),
        30_000,
      );
    }
    const letters = async () =>
      ((await call(app.baseUrl, 'GET', '/api/admin/dead-letters/monolith', undefined, admin)).body as unknown as { items: { id: string; type: string }[] })
        .items;
    await waitUntil('both notifications to be dead-lettered', async () => (await letters()).length === 2, 30_000);
    rmSync(mailDir);
    mkdirSync(mailDir);

    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await signIn(page, TEST_AUTH.ADMIN_EMAIL, TEST_AUTH.ADMIN_PASSWORD);
    expect(new URL(page.url()).pathname).toBe('/ops');
    const counts = page.locator('#orders-by-status');
    expect(await counts.innerText()).toContain('CONFIRMED');
    expect(await page.locator('#dead-letters tr.dead-letter').count()).toBe(2);

    // The declined order's timeline: its steps as bars, the compensation in another colour, the trace linked.
    await page.locator(`#recent a[href="/ops/orders/${declined}"]`).click();
    await page.locator('#timeline').waitFor();
    const rows = page.locator('tr.step-row');
    const steps = await rows.evaluateAll((trs) =>
      trs.map((tr) => [tr.getAttribute('data-step'), tr.getAttribute('data-kind'), tr.getAttribute('data-outcome')]),
    );
    expect(steps).toEqual([
      ['reserve-stock', 'step', 'StockReserved'],
      ['charge-payment', 'step', 'PaymentFailed'],
      ['release-stock', 'compensation', 'StockReleased'],
    ]);
    const colour = (step: string) =>
      page
        .locator(`tr[data-step="${step}"] .bar`)
        .evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor);
    expect(await colour('release-stock')).not.toBe(await colour('reserve-stock'));
    expect(await colour('charge-payment')).not.toBe(await colour('reserve-stock'));
    const traceId = (await page.locator('#trace-link').innerText()).trim();
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(exporter.getFinishedSpans().some((s) => s.spanContext().traceId === traceId && s.name === 'process ordering.place-order.v1')).toBe(true);

    // Replay the rejection email's dead letter: it is delivered this time and leaves the queue.
    await page.goto(`${app.baseUrl}/ops`);
    const rejected = (await letters()).find((l) => l.type === 'ordering.order-rejected.v1')!;
    await page.locator(`tr.dead-letter[data-id="${rejected.id}"] button`, { hasText: 'Replay' }).click();
    await page.locator('.flash').waitFor();
    expect(await page.locator('.flash').innerText()).toContain('sent back');
    await waitUntil('the replayed rejection email', async () => existsSync(join(mailDir, `${declined}.order-rejected.eml`)), 15_000);
    await waitUntil('the dead letter to be gone', async () => (await letters()).every((l) => l.id !== rejected.id), 15_000);
    expect(errors).toEqual([]);

    // A customer signs in fine, and is refused the page.
    const customerPage = await (await browser.newContext()).newPage();
    await signIn(customerPage, customerEmail, customerPassword);
    const response = await customerPage.goto(`${app.baseUrl}/ops`);
    expect(response?.status()).toBe(403);
    expect(await customerPage.locator('h2').first().innerText()).toContain('403');
  }, 120_000);

  it('refuses a wrong password on the sign-in form, and form bodies on the JSON API', async () => {
    const page = await browser.newPage();
    await signIn(page, TEST_AUTH.ADMIN_EMAIL, 'wrong-password-123');
    expect(await page.locator('.badge.bad').innerText()).toContain('Wrong email or password');
    const form = await fetch(`${app.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `email=${encodeURIComponent(TEST_AUTH.ADMIN_EMAIL)}&password=x`,
    });
    expect(form.status).toBe(415);
  }, 60_000);
});
