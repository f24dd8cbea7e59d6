import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** Query string of the sales report: two UTC days, inclusive. */
export class SalesReportQueryDto {
  @ApiProperty({ example: '2026-11-01', format: 'date' }) @Matches(DAY, { message: 'from must be a date such as 2026-11-01' }) from!: string;
  @ApiProperty({ example: '2026-11-30', format: 'date' }) @Matches(DAY, { message: 'to must be a date such as 2026-11-30' }) to!: string;
}

/** One product's sales on one day, in minor units. */
export class SalesRowDto {
  @ApiProperty({ format: 'date' }) day!: string;
  @ApiProperty({ format: 'uuid' }) productId!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty() units!: number;
  @ApiProperty({ description: 'Revenue of confirmed orders, minor units' }) revenue!: number;
  @ApiProperty({ description: 'Refunds given back on confirmed orders, minor units' }) refunds!: number;
}

/** The sales report. */
export class SalesReportDto {
  @ApiProperty({ type: [SalesRowDto] }) items!: SalesRowDto[];
}

/** Paging of the caller's order history. */
export class MyOrdersQueryDto {
  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) limit?: number;
  @ApiPropertyOptional({ default: 0, minimum: 0 }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(1_000_000) offset?: number;
}

/** An order in the caller's history, as reporting last heard of it. */
export class CustomerOrderDto {
  @ApiProperty({ format: 'uuid' }) orderId!: string;
  @ApiProperty({ example: 'CONFIRMED' }) status!: string;
  @ApiPropertyOptional() total?: { amount: number; currency: string };
  @ApiPropertyOptional() trackingNumber?: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

/** A page of the caller's order history. */
export class CustomerOrderPageDto {
  @ApiProperty({ type: [CustomerOrderDto] }) items!: CustomerOrderDto[];
  @ApiProperty() total!: number;
}

/** Position, lag and state of one version of a projection. */
export class ProjectionStatusDto {
  @ApiProperty({ example: 'sales_daily' }) name!: string;
  @ApiProperty() version!: number;
  @ApiProperty({ description: 'Whether readers see this version' }) live!: boolean;
  @ApiProperty({ enum: ['running', 'rebuilding', 'failed'] }) state!: string;
  @ApiProperty({ description: 'Position of the last event applied' }) position!: string;
  @ApiProperty() applied!: number;
  @ApiProperty() eventsBehind!: number;
  @ApiProperty() secondsBehind!: number;
  @ApiPropertyOptional({ description: 'Why it stopped (failed only)' }) reason?: string;
  @ApiPropertyOptional() failedPosition?: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}
