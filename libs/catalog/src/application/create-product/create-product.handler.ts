import { Controller } from '@nestjs/common';
import { CreateProduct, PayloadOf, ProductView } from '@commerce/contracts';
import { Handles } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Money } from '../../domain/money.value-object';
import { ProductRepository } from '../../infrastructure/product.repository';

/** Creates a product and its opening stock in one transaction. */
@Controller()
export class CreateProductHandler {
  constructor(
    @InjectDataSource('catalog') private readonly dataSource: DataSource,
    private readonly products: ProductRepository,
  ) {}

  @Handles(CreateProduct)
  async handle(command: PayloadOf<typeof CreateProduct>): Promise<ProductView> {
    const { initialStock, price, ...fields } = command;
    const product = { id: randomUUID(), ...fields, price: Money.of(price.amount, price.currency) };
    return this.dataSource.transaction((manager) => this.products.insert(product, initialStock, manager));
  }
}
