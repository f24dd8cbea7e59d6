import { join } from 'node:path';
import { defineGrpcService } from '../common/grpc-service';
import { GetStock } from './inventory.contracts';
import { GetProduct, GetProducts, ListProducts } from './product.contracts';

/** The catalog's product and stock queries over gRPC (catalog.proto beside this file). */
export const CatalogQueriesGrpc = defineGrpcService({
  context: 'catalog',
  package: 'commerce.catalog.v1',
  service: 'CatalogQueries',
  protoPath: join(__dirname, 'catalog.proto'),
  methods: { GetProduct, GetProducts, ListProducts, GetStock },
});
