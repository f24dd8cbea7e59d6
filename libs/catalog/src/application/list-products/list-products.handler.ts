import { Injectable } from '@nestjs/common';
import { ListProducts, PayloadOf, ResultOf } from '@commerce/contracts';
import { MessageHandler } from '@commerce/messaging';
import { ProductRepository } from '../../infrastructure/product.repository';

/** Lists products with category filter, text search and pagination. */
@Injectable()
export class ListProductsHandler {
  constructor(private readonly products: ProductRepository) {}

  @MessageHandler(ListProducts)
  async handle(query: PayloadOf<typeof ListProducts>): Promise<ResultOf<typeof ListProducts>> {
    const { items, total } = await this.products.list(query);
    return { items, total, limit: query.limit, offset: query.offset };
  }
}
