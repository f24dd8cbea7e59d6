import { Controller } from '@nestjs/common';
import { GetProducts, PayloadOf, ResultOf } from '@commerce/contracts';
import { Handles } from '@commerce/messaging';
import { ProductRepository } from '../../infrastructure/product.repository';

/** Answers several products by id in one round trip (for composed reads). */
@Controller()
export class GetProductsHandler {
  constructor(private readonly products: ProductRepository) {}

  @Handles(GetProducts)
  async handle({ ids }: PayloadOf<typeof GetProducts>): Promise<ResultOf<typeof GetProducts>> {
    return { items: await this.products.findByIds(ids) };
  }
}
