import { Controller } from '@nestjs/common';
import { GetProduct, PayloadOf, ProductView } from '@commerce/contracts';
import { Handles } from '@commerce/messaging';
import { ProductNotFoundError } from '../../domain/catalog.errors';
import { ProductRepository } from '../../infrastructure/product.repository';

/** Answers one product by id. */
@Controller()
export class GetProductHandler {
  constructor(private readonly products: ProductRepository) {}

  @Handles(GetProduct)
  async handle({ id }: PayloadOf<typeof GetProduct>): Promise<ProductView> {
    const product = await this.products.findById(id);
    if (!product) throw new ProductNotFoundError(id);
    return product;
  }
}
