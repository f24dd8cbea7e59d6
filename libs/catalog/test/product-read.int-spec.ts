import { randomUUID } from 'node:crypto';
import { CreateProduct, GetProduct, GetProducts, UpdateProduct } from '@commerce/contracts';
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

  it('answers concurrent reads by ids from shared statements, each caller its own products in the order asked', async () => {
    const create = (name: string) =>
      harness.bus.send(CreateProduct, {
        sku: `SKU-${randomUUID()}`,
        name,
        description: name,
        category: 'home',
        price: { amount: 100, currency: 'EUR' },
        initialStock: 1,
      });
    const [a, b, c] = await Promise.all(['A', 'B', 'C'].map(create));
    const source = harness.dataSource('catalog');
    const read = source.query.bind(source);
    let statements = 0;
    source.query = ((sql: string, ...rest: unknown[]) => {
      if (sql.includes('FROM catalog.product WHERE id = ANY')) statements++;
      return read(sql, ...(rest as []));
    }) as typeof source.query;
    try {
      const asks = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? [c.id, a.id] : i % 3 === 1 ? [b.id, randomUUID(), b.id] : [a.id.toUpperCase()]));
      const answers = await Promise.all(asks.map((ids) => harness.bus.request(GetProducts, { ids })));
      answers.forEach((answer, i) => {
        const expected = i % 3 === 0 ? ['C', 'A'] : i % 3 === 1 ? ['B'] : ['A'];
        expect(answer.items.map((p) => p.name)).toEqual(expected);
      });
      expect(statements).toBeGreaterThanOrEqual(1);
      expect(statements).toBeLessThan(asks.length / 2);
    } finally {
      source.query = read;
    }
  });
});
