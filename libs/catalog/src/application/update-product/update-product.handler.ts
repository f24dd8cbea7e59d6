import { Controller } from '@nestjs/common';
import { PayloadOf, ProductView, UpdateProduct } from '@commerce/contracts';
import { Handles } from '@commerce/messaging';
import { ProductNotFoundError } from '../../domain/catalog.errors';
import { Money } from '../../domain/money.value-object';
import { ProductRepository } from '../../infrastructure/product.repository';

/** Changes a product's descriptive fields or price. */
@Controller()
export class UpdateProductHandler {
  constructor(private readonly products: ProductRepository) {}

  @Handles(UpdateProduct)
  async handle({ id, changes }: PayloadOf<typeof UpdateProduct>): Promise<ProductView> {
    const price = changes.price ? Money.of(changes.price.amount, changes.price.currency) : undefined;
    const updated = await this.products.update(id, { ...changes, price });
    if (!updated) throw new ProductNotFoundError(id);
    return updated;
  }
}
