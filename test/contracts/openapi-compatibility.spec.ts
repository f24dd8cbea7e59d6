import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { breakingHttpChanges, releasedForm, type OpenApi } from '../support/openapi-compatibility';

// The rules of the HTTP compatibility gate, on modified copies of the committed released document
// (the gate itself runs in test/e2e/openapi.e2e-spec.ts against the served document).
const released = JSON.parse(readFileSync(resolve(__dirname, '../../libs/contracts/released/openapi.json'), 'utf8')) as OpenApi;
type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const changed = (edit: (d: Loose) => void) => {
  const copy = structuredClone(released) as Loose;
  edit(copy);
  return breakingHttpChanges(released, copy as OpenApi);
};
const schemas = (d: Loose) => d.components.schemas as Loose;

describe('the HTTP compatibility rules', () => {
  it('find nothing between the released document and itself, or its sorted form', () => {
    expect(breakingHttpChanges(released, released)).toEqual([]);
    expect(breakingHttpChanges(released, releasedForm({ ...released, servers: [{ url: '/' }] }))).toEqual([]);
  });

  it('let operations, optional parameters, optional request fields, response fields and statuses be added', () => {
    expect(
      changed((d) => {
        d.paths['/api/wishlist'] = { get: { responses: { 200: { description: 'ok' } } } };
        d.paths['/api/orders'].get.parameters.push({ in: 'query', name: 'since', required: false, schema: { type: 'string' } });
        schemas(d).PlaceOrderDto.properties.note = { type: 'string' };
        schemas(d).OrderDto.properties.channel = { type: 'string' };
        d.paths['/api/orders/{id}'].get.responses['410'] = { description: 'gone' };
        d.paths['/api/orders'].get.parameters[0].schema.enum.push('ARCHIVED');
      }),
    ).toEqual([]);
  });

  it('name a removed operation, a removed response status and a removed response field', () => {
    expect(
      changed((d) => {
        delete d.paths['/api/orders/{id}/cancel'].post;
        delete d.paths['/api/products/{id}'].get.responses['404'];
        delete schemas(d).OrderDetailsLineDto.properties.quantity;
      }),
    ).toEqual([
      'POST /api/orders/{id}/cancel: operation removed',
      'GET /api/orders/{id}/details: response 200 field lines[].quantity: removed',
      'GET /api/products/{id}: response 404 removed',
    ]);
  });

  it('name a removed or newly required request field or parameter and a narrowed request type, value set or bound', () => {
    expect(
      changed((d) => {
        delete schemas(d).AddressDto.properties.line2;
        schemas(d).PlaceOrderDto.properties.coupon = { type: 'string' };
        schemas(d).PlaceOrderDto.required.push('coupon');
        const [status, limit] = d.paths['/api/orders'].get.parameters;
        status.schema.enum = status.schema.enum.filter((s: string) => s !== 'PAID');
        limit.schema.maximum = 50;
        d.paths['/api/orders'].get.parameters.push({ in: 'query', name: 'tenant', required: true, schema: { type: 'string' } });
        schemas(d).AdjustStockDto.properties.delta = { type: 'string' };
      }),
    ).toEqual([
      'GET /api/orders: query parameter status: no longer accepts ["PAID"]',
      'GET /api/orders: query parameter limit: maximum narrowed to 50',
      'GET /api/orders: new required query parameter tenant',
      // the address is shared: a field removed from it is removed from the answers that carry it too
      'GET /api/orders: response 200 field items[].shippingAddress.line2: removed',
      'POST /api/orders: request body field shippingAddress.line2: removed',
      'POST /api/orders: request body field coupon: new required field',
      'GET /api/orders/{id}: response 200 field shippingAddress.line2: removed',
      'GET /api/orders/{id}/details: response 200 field order.shippingAddress.line2: removed',
      'POST /api/products/{id}/stock: request body field delta: type changed from number to string',
    ]);
  });
});
