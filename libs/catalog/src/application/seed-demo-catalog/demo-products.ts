/** A small catalog for first runs, so Swagger UI has something to show. */
export const DEMO_PRODUCTS = [
  { sku: 'TEE-ORG-M', name: 'Organic cotton T-shirt', description: 'Soft, heavyweight tee in undyed organic cotton.', category: 'apparel', price: { amount: 2500, currency: 'EUR' }, stock: 120 },
  { sku: 'HOOD-GRY-L', name: 'Grey hoodie', description: 'Brushed fleece hoodie with a kangaroo pocket.', category: 'apparel', price: { amount: 5900, currency: 'EUR' }, stock: 40 },
  { sku: 'MUG-ENML', name: 'Enamel camping mug', description: 'Light steel mug with an enamel finish, 350 ml.', category: 'outdoor', price: { amount: 1400, currency: 'EUR' }, stock: 200 },
  { sku: 'LAMP-HEAD', name: 'Rechargeable head lamp', description: 'USB-C head lamp, 400 lumen, red night mode.', category: 'outdoor', price: { amount: 3900, currency: 'EUR' }, stock: 25 },
  { sku: 'KB-MECH-TKL', name: 'Mechanical keyboard', description: 'Tenkeyless keyboard with hot-swappable switches.', category: 'electronics', price: { amount: 11900, currency: 'EUR' }, stock: 15 },
  { sku: 'HP-ANC', name: 'Noise-cancelling headphones', description: 'Over-ear wireless headphones with 30 h battery.', category: 'electronics', price: { amount: 19900, currency: 'EUR' }, stock: 8 },
  { sku: 'BOOK-DDD', name: 'Domain modelling handbook', description: 'Aggregates, bounded contexts and event storming.', category: 'books', price: { amount: 4200, currency: 'EUR' }, stock: 60 },
  { sku: 'BOTTLE-1L', name: 'Insulated bottle 1 l', description: 'Keeps drinks cold for 24 hours, hot for 12.', category: 'outdoor', price: { amount: 2900, currency: 'EUR' }, stock: 0 },
] as const;
