import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Max, MaxLength, Min, MinLength, NotEquals } from 'class-validator';

/** Body of POST /api/products/:id/stock: a signed correction of available stock. */
export class AdjustStockDto {
  @ApiProperty({ example: 25, description: 'Units to add (positive) or remove (negative)' })
  @IsInt()
  @NotEquals(0)
  @Min(-1_000_000_000)
  @Max(1_000_000_000)
  delta!: number;

  @ApiProperty({ example: 'Goods received', maxLength: 500 })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason!: string;
}

/** Stock counters of one product. */
export class StockLevelDto {
  @ApiProperty({ format: 'uuid' }) productId!: string;
  @ApiProperty({ description: 'Free to reserve' }) available!: number;
  @ApiProperty({ description: 'Held for orders' }) reserved!: number;
  @ApiProperty({ description: 'Sold' }) committed!: number;
}
