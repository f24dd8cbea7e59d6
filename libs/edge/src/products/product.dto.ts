import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsInt, IsNotEmptyObject, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { CreateProduct, MAX_MINOR_UNITS, PRODUCT_LIMITS, productFields } from '@commerce/contracts';
import { ContractProperty, fieldOf } from '../contract-property.decorator';

/** Money as integer minor units (cents) and an ISO 4217 code. */
export class MoneyDto {
  @ApiProperty({ example: 2500, description: 'Integer minor units (2500 = 25.00)', minimum: 0, maximum: MAX_MINOR_UNITS })
  @IsInt()
  @Min(0)
  @Max(MAX_MINOR_UNITS)
  amount!: number;

  @ApiProperty({ example: 'EUR', pattern: '^[A-Z]{3}$' })
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as EUR' })
  currency!: string;
}

/** Body of POST /api/products. */
export class CreateProductDto {
  @ContractProperty(fieldOf(CreateProduct, 'sku'), { example: 'TEE-ORG-L' }) sku!: string;
  @ContractProperty(fieldOf(CreateProduct, 'name'), { example: 'Organic cotton T-shirt, large' }) name!: string;
  @ContractProperty(fieldOf(CreateProduct, 'description'), { example: 'Heavyweight tee in undyed organic cotton.' }) description?: string;
  @ContractProperty(fieldOf(CreateProduct, 'category'), { example: 'apparel' }) category!: string;

  @ApiProperty({ type: MoneyDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => MoneyDto)
  price!: MoneyDto;

  @ApiPropertyOptional({ example: 10, minimum: 0, default: 0, description: 'Opening stock' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  initialStock?: number;
}

/** Body of PATCH /api/products/:id; send only the fields to change. */
export class UpdateProductDto {
  @ContractProperty(productFields.name.optional(), { example: 'Organic cotton T-shirt, large, washed' }) name?: string;
  @ContractProperty(productFields.description.optional(), { example: 'Pre-washed; shrinks less than 2 %.' }) description?: string;
  @ContractProperty(productFields.category.optional(), { example: 'apparel' }) category?: string;

  @ApiPropertyOptional({ type: MoneyDto })
  @IsOptional()
  @IsNotEmptyObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  price?: MoneyDto;
}

/** Query string of GET /api/products. */
export class ListProductsQueryDto {
  @ApiPropertyOptional({ description: 'Full-text search on name and description', maxLength: PRODUCT_LIMITS.query })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(PRODUCT_LIMITS.query)
  q?: string;

  @ApiPropertyOptional({ example: 'apparel' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(PRODUCT_LIMITS.category)
  category?: string;

  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: PRODUCT_LIMITS.pageMax })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(PRODUCT_LIMITS.pageMax)
  limit?: number;

  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset?: number;
}

/** A product as the API returns it. */
export class ProductDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() sku!: string;
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty() category!: string;
  @ApiProperty({ type: MoneyDto }) price!: MoneyDto;
  @ApiProperty({ description: 'Increments on every change' }) version!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

/** A page of products. */
export class ProductPageDto {
  @ApiProperty({ type: [ProductDto] }) items!: ProductDto[];
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}
