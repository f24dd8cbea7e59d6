import { Injectable } from '@nestjs/common';
import { GetProducts, PayloadOf, ResultOf } from '@commerce/contracts';
import { MessageHandler } from '@commerce/messaging';
import { ProductRepository } from '../../infrastructure/product.repository';

/** Answers several products by id in one round trip (for composed reads). */
@Injectable()
export class GetProductsHandler {
  constructor(private readonly products: ProductRepository) {}

  @MessageHandler(GetProducts)
  async handle({ ids }: PayloadOf<typeof GetProducts>): Promise<ResultOf<typeof GetProducts>> {
    return { items: await this.products.findByIds(ids) };
  }
}
