import { ApiProperty } from '@nestjs/swagger';
import { OrderDto } from './order.dto';

/** The customer part of an order's details. */
export class OrderCustomerDto {
  @ApiProperty() name!: string;
  @ApiProperty() email!: string;
}

/** A line with the product's current name (null when the catalog did not answer in time). */
export class OrderDetailsLineDto {
  @ApiProperty({ format: 'uuid' }) productId!: string;
  @ApiProperty() quantity!: number;
  @ApiProperty({ type: String, nullable: true }) currentName!: string | null;
}

/** Answer of GET /api/orders/:id/details: parts fetched in parallel; `missing` names the late ones. */
export class OrderDetailsDto {
  @ApiProperty({ type: OrderDto, description: 'The order without its history' }) order!: OrderDto;
  @ApiProperty({ type: OrderCustomerDto, nullable: true }) customer!: OrderCustomerDto | null;
  @ApiProperty({ type: [OrderDetailsLineDto] }) lines!: OrderDetailsLineDto[];
  @ApiProperty() partial!: boolean;
  @ApiProperty({ enum: ['customer', 'products'], isArray: true }) missing!: string[];
}
