// The baseline for bench/catalog-http.bench.ts: Fastify and pg alone, the same query and JSON
// as GET /api/products/:id, with none of the kit (no Nest, bus, validation, logging).
import Fastify from 'fastify';
import { Pool } from 'pg';

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = Fastify({ logger: false });

app.get<{ Params: { id: string } }>('/api/products/:id', async (request, reply) => {
  const { rows } = await pool.query(
    'SELECT id, sku, name, description, category, price_amount, price_currency, version, created_at, updated_at FROM catalog.product WHERE id = $1',
    [request.params.id],
  );
  if (!rows[0]) return reply.status(404).send({ status: 404 });
  const r = rows[0];
  return {
    id: r.id,
    sku: r.sku,
    name: r.name,
    description: r.description,
    category: r.category,
    price: { amount: Number(r.price_amount), currency: r.price_currency.trim() },
    version: r.version,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
});

app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' }).then(() => process.stdout.write('ready\n'));
process.on('SIGTERM', () => void app.close().then(() => pool.end()));
