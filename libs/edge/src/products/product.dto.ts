import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsInt, IsNotEmptyObject, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { MAX_MINOR_UNITS, PRODUCT_LIMITS } from '@commerce/contracts';

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
  @ApiProperty({ example: 'TEE-ORG-L', maxLength: PRODUCT_LIMITS.sku, pattern: '^[A-Za-z0-9._-]+$' })
  @IsString()
  @MinLength(1)
  @MaxLength(PRODUCT_LIMITS.sku)
  @Matches(/^[A-Za-z0-9._-]+$/, { message: 'sku may contain letters, digits, dot, dash and underscore' })
  sku!: string;

  @ApiProperty({ example: 'Organic cotton T-shirt, large', maxLength: PRODUCT_LIMITS.name })
  @IsString()
  @MinLength(1)
  @MaxLength(PRODUCT_LIMITS.name)
  name!: string;

  @ApiPropertyOptional({ example: 'Heavyweight tee in undyed organic cotton.', maxLength: PRODUCT_LIMITS.description })
  @IsOptional()
  @IsString()
  @MaxLength(PRODUCT_LIMITS.description)
  description?: string;

  @ApiProperty({ example: 'apparel', maxLength: PRODUCT_LIMITS.category })
  @IsString()
  @MinLength(1)
  @MaxLength(PRODUCT_LIMITS.category)
  category!: string;

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
  @ApiPropertyOptional({ maxLength: PRODUCT_LIMITS.name })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(PRODUCT_LIMITS.name)
  name?: string;

  @ApiPropertyOptional({ maxLength: PRODUCT_LIMITS.description })
  @IsOptional()
  @IsString()
  @MaxLength(PRODUCT_LIMITS.description)
  description?: string;

  @ApiPropertyOptional({ maxLength: PRODUCT_LIMITS.category })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(PRODUCT_LIMITS.category)
  category?: string;

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
