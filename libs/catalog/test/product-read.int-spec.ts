import { randomUUID } from 'node:crypto';
import { CreateProduct, GetProduct, UpdateProduct } from '@commerce/contracts';
import { CatalogModule } from '@commerce/catalog';
import { Backend, bootContexts, ContextHarness } from '../../../test/support/context-harness';
import { createScratchDatabase, ScratchDatabase } from '../../../test/support/postgres';

// GetProduct reads through a named prepared statement: it must behave alike on a real server and
// on the embedded one (one shared connection), every time it runs on a connection, not only the first.
describe.each(['postgres', 'pglite'] as const)('catalog product reads on %s', (kind) => {
  let scratch: ScratchDatabase | undefined;
  let harness: ContextHarness;

  beforeAll(async () => {
    let backend: Backend = { kind: 'pglite' };
    if (kind === 'postgres') {
      scratch = await createScratchDatabase('commerce_it_catalog_read');
      backend = { kind: 'postgres', url: scratch.url };
    }
    harness = await bootContexts(backend, [CatalogModule], []);
  });

  afterAll(async () => {
    await harness?.close();
    await scratch?.drop();
  });

  it('reads a product by id again and again, and sees its changes', async () => {
    const created = await harness.bus.send(CreateProduct, {
      sku: `SKU-${randomUUID()}`,
      name: 'Lamp',
      description: 'A desk lamp',
      category: 'home',
      price: { amount: 2599, currency: 'EUR' },
      initialStock: 1,
    });
    const reads = await Promise.all(Array.from({ length: 25 }, () => harness.bus.request(GetProduct, { id: created.id })));
    expect(reads.every((read) => JSON.stringify(read) === JSON.stringify(created))).toBe(true);
    await harness.bus.send(UpdateProduct, { id: created.id, changes: { name: 'Reading lamp', price: { amount: 2999, currency: 'EUR' } } });
    await expect(harness.bus.request(GetProduct, { id: created.id })).resolves.toMatchObject({
      name: 'Reading lamp',
      price: { amount: 2999, currency: 'EUR' },
      version: 2,
    });
  });

  it('answers not-found for an id no product has', async () => {
    await expect(harness.bus.request(GetProduct, { id: randomUUID() })).rejects.toMatchObject({ code: 'CATALOG.PRODUCT_NOT_FOUND', kind: 'not-found' });
  });
});
