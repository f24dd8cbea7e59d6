import { CatalogQueriesGrpc } from '@commerce/contracts';
import { loadGrpcConfig } from './grpc.config';

describe('gRPC configuration', () => {
  it('keeps every context on the bus by default, serving on 50051', () => {
    expect(loadGrpcConfig([CatalogQueriesGrpc], {})).toEqual({ port: 50051, routes: { catalog: { queries: 'bus', url: '127.0.0.1:50051' } } });
  });

  it.each(['catalog:50051', 'dns:///catalog-grpc.shop.svc:50051', '[::1]:7000', '10.0.0.5:443'])('accepts the target %s', (url) => {
    expect(loadGrpcConfig([CatalogQueriesGrpc], { CATALOG_QUERIES: 'grpc', CATALOG_GRPC_URL: url }).routes.catalog).toEqual({ queries: 'grpc', url });
  });

  it('stops with a line naming each bad variable', () => {
    expect(() => loadGrpcConfig([CatalogQueriesGrpc], { CATALOG_QUERIES: 'rpc', CATALOG_GRPC_URL: 'http://catalog', GRPC_PORT: '0' })).toThrow(
      /GRPC_PORT: .*; CATALOG_QUERIES: expected bus or grpc .*; CATALOG_GRPC_URL: expected host:port/,
    );
  });
});
