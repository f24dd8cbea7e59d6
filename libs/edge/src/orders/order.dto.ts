import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { MoneyDto } from '../products/product.dto';

/** A product and how many. */
export class OrderLineDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  productId!: string;

  @ApiProperty({ minimum: 1, maximum: 1000, example: 1 })
  @IsInt()
  @Min(1)
  @Max(1000)
  quantity!: number;
}

/** Where to ship. Test postal codes 00000 and 99999 are refused by the simulated carrier. */
export class AddressDto {
  @ApiProperty({ example: 'Ada Lovelace' }) @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiProperty({ example: 'Main Street 1' }) @IsString() @MinLength(1) @MaxLength(200) line1!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) line2?: string;
  @ApiProperty({ example: 'Berlin' }) @IsString() @MinLength(1) @MaxLength(100) city!: string;
  @ApiProperty({ example: '10115' }) @IsString() @MinLength(1) @MaxLength(20) postalCode!: string;
  @ApiProperty({ example: 'DE', description: 'ISO 3166-1 alpha-2' })
  @Matches(/^[A-Z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code' })
  country!: string;
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

  @ApiProperty({ example: 'tok_visa', description: 'Payment method token; see README "Test cards"' })
  @Matches(/^tok_[A-Za-z0-9_]{1,60}$/, { message: 'paymentToken must look like tok_visa' })
  paymentToken!: string;

  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail()
  @MaxLength(254)
  email!: string;
}

/** Query string of GET /api/orders. */
export class ListOrdersQueryDto {
  @ApiPropertyOptional({ enum: ['PLACED', 'STOCK_RESERVED', 'PAID', 'CONFIRMED', 'COMPENSATING', 'REJECTED', 'CANCELLED', 'COMPENSATION_FAILED'] })
  @IsOptional()
  @IsIn(['PLACED', 'STOCK_RESERVED', 'PAID', 'CONFIRMED', 'COMPENSATING', 'REJECTED', 'CANCELLED', 'COMPENSATION_FAILED'])
  status?: 'PLACED' | 'STOCK_RESERVED' | 'PAID' | 'CONFIRMED' | 'COMPENSATING' | 'REJECTED' | 'CANCELLED' | 'COMPENSATION_FAILED';

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
