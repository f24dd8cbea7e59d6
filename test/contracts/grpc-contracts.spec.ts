import { GetProduct, GetProducts, GetStock, GRPC_SERVICES, ListProducts, type MessageContract } from '@commerce/contracts';
import { PROTO_LOADER_OPTIONS } from '@commerce/messaging';
import { loadSync, type MethodDefinition } from '@grpc/proto-loader';

// Every .proto against the contracts its rpcs carry: a full request and reply (every optional field
// set) must come back from protobuf exactly as the contract parses it, so a field missing from the
// proto (dropped on the wire) or one the contract lacks (added as a default) fails here.
const product = {
  id: '8a1c0b7e-2f7e-4b43-9a53-3d1c4f0e9b21',
  sku: 'MUG-ENML',
  name: 'Enamel camping mug',
  description: '',
  category: 'outdoor',
  price: { amount: 999_999_999_999, currency: 'EUR' },
  version: 3,
  createdAt: '2026-11-01T10:00:00.000Z',
  updatedAt: '2026-11-02T11:30:00.000Z',
};
const SAMPLES: Record<string, { request: unknown[]; reply: unknown[] }> = {
  [GetProduct.type]: { request: [{ id: product.id }], reply: [product] },
  [GetProducts.type]: { request: [{ ids: [product.id, '0c7e6f4a-8a5d-4f59-9f0e-2b7d3c1a9e44'] }, { ids: [] }], reply: [{ items: [product] }, { items: [] }] },
  [ListProducts.type]: {
    request: [
      { query: 'mug', category: 'outdoor', limit: 20, offset: 40 },
      { limit: 1, offset: 0 },
    ],
    reply: [{ items: [product, { ...product, id: '0c7e6f4a-8a5d-4f59-9f0e-2b7d3c1a9e44' }], total: 41, limit: 20, offset: 40 }],
  },
  [GetStock.type]: { request: [{ productId: product.id }], reply: [{ productId: product.id, available: 3_000_000_000, reserved: 2, committed: 0 }] },
};

const roundTrip = (serialize: (v: unknown) => Buffer, deserialize: (b: Buffer) => unknown, value: unknown) => deserialize(serialize(value));

describe.each(GRPC_SERVICES.map((s) => [`${s.package}.${s.service}`, s] as const))('gRPC service %s', (name, service) => {
  const definition = loadSync(service.protoPath, PROTO_LOADER_OPTIONS);
  const rpcs = definition[name] as Record<string, MethodDefinition<unknown, unknown>>;

  it('is in its proto with exactly the rpcs of its definition, each unary', () => {
    expect(rpcs).toBeDefined();
    expect(Object.keys(rpcs).sort()).toEqual(Object.keys(service.methods).sort());
    for (const rpc of Object.values(rpcs)) expect([rpc.requestStream, rpc.responseStream]).toEqual([false, false]);
  });

  it.each(Object.entries(service.methods))('carries %s field for field', (rpc, contract: MessageContract) => {
    const samples = SAMPLES[contract.type];
    expect({ contract: contract.type, sampled: samples !== undefined }).toEqual({ contract: contract.type, sampled: true });
    const method = rpcs[rpc];
    for (const request of samples.request) {
      const parsed = contract.schema.parse(request);
      expect(roundTrip(method.requestSerialize, method.requestDeserialize, parsed)).toEqual(parsed);
    }
    for (const reply of samples.reply) {
      const parsed = contract.resultSchema.parse(reply);
      expect(roundTrip(method.responseSerialize, method.responseDeserialize, parsed)).toEqual(parsed);
    }
  });
});
