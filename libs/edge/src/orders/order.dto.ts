import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsInt, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { addressSchema, orderLineSchema, OrderStatus, orderStatusSchema, PlaceOrder } from '@commerce/contracts';
import { ContractProperty, fieldOf } from '../contract-property.decorator';
import { MoneyDto } from '../products/product.dto';

/** A product and how many. */
export class OrderLineDto {
  @ContractProperty(orderLineSchema.shape.productId, { example: '3f0c9a5e-8b1d-4c2e-9a7f-1d2e3f4a5b6c' }) productId!: string;
  @ContractProperty(orderLineSchema.shape.quantity, { example: 1 }) quantity!: number;
}

/** Where to ship. Test postal codes 00000 and 99999 are refused by the simulated carrier. */
export class AddressDto {
  @ContractProperty(addressSchema.shape.name, { example: 'Ada Lovelace' }) name!: string;
  @ContractProperty(addressSchema.shape.line1, { example: 'Main Street 1' }) line1!: string;
  @ContractProperty(addressSchema.shape.line2, { example: 'Flat 3' }) line2?: string;
  @ContractProperty(addressSchema.shape.city, { example: 'Berlin' }) city!: string;
  @ContractProperty(addressSchema.shape.postalCode, { example: '10115' }) postalCode!: string;
  @ContractProperty(addressSchema.shape.country, { example: 'DE', description: 'ISO 3166-1 alpha-2' }) country!: string;
}

/** Body of POST /api/orders. Prices come from the catalog, never from the client. */
export class PlaceOrderDto {
  @ApiProperty({ type: [OrderLineDto] })
  @ValidateNested({ each: true })
  @Type(() => OrderLineDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  lines!: OrderLineDto[];

  @ApiProperty({ type: AddressDto })
  @ValidateNested()
  @Type(() => AddressDto)
  shippingAddress!: AddressDto;

  @ContractProperty(fieldOf(PlaceOrder, 'paymentToken'), { example: 'tok_visa', description: 'Payment method token; see README "Test cards"' })
  paymentToken!: string;

  @ContractProperty(fieldOf(PlaceOrder, 'email'), { example: 'ada@example.com' })
  email!: string;
}

/** Query string of GET /api/orders. */
export class ListOrdersQueryDto {
  @ContractProperty(orderStatusSchema.optional()) status?: OrderStatus;

  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) limit?: number;
  @ApiPropertyOptional({ default: 0, minimum: 0 }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(1_000_000) offset?: number;
}

/** Answer of POST /api/orders and /cancel. */
export class OrderAcceptedDto {
  @ApiProperty({ format: 'uuid' }) orderId!: string;
  @ApiProperty() status!: string;
}

/** An order with its history. */
export class OrderDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() customerId!: string;
  @ApiProperty() email!: string;
  @ApiProperty() status!: string;
  @ApiProperty({ type: [Object] }) lines!: unknown[];
  @ApiProperty({ type: MoneyDto }) total!: MoneyDto;
  @ApiProperty({ type: AddressDto }) shippingAddress!: AddressDto;
  @ApiPropertyOptional() reason?: string;
  @ApiProperty() version!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiPropertyOptional({ type: [Object], description: 'The events of the order, oldest first' }) history?: unknown[];
}

/** A page of orders. */
export class OrderPageDto {
  @ApiProperty({ type: [OrderDto] }) items!: OrderDto[];
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}

/** Validates the optional idempotency key and customer headers. */
export const HEADER_RULES = { idempotencyKey: /^[A-Za-z0-9._:-]{1,200}$/ };
