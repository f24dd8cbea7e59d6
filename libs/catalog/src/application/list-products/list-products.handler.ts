import { Controller } from '@nestjs/common';
import { ListProducts, PayloadOf, ResultOf } from '@commerce/contracts';
import { Handles } from '@commerce/messaging';
import { ProductRepository } from '../../infrastructure/product.repository';

/** Lists products with category filter, text search and pagination. */
@Controller()
export class ListProductsHandler {
  constructor(private readonly products: ProductRepository) {}

  @Handles(ListProducts)
  async handle(query: PayloadOf<typeof ListProducts>): Promise<ResultOf<typeof ListProducts>> {
    const { items, total } = await this.products.list(query);
    return { items, total, limit: query.limit, offset: query.offset };
  }
}
