import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One invalid field of a request. */
export class ProblemFieldDto {
  @ApiProperty({ example: 'shippingAddress.name' }) path!: string;
  @ApiProperty() message!: string;
}

/** RFC 9457 problem details, as every error is returned. */
export class ProblemDto {
  @ApiProperty({ example: 'urn:commerce-kit:problem:catalog.product_not_found' }) type!: string;
  @ApiProperty({ example: 'Not Found' }) title!: string;
  @ApiProperty({ example: 404 }) status!: number;
  @ApiProperty({ example: 'CATALOG.PRODUCT_NOT_FOUND', description: 'Stable error code' }) code!: string;
  @ApiPropertyOptional() detail?: string;
  @ApiPropertyOptional() instance?: string;
  @ApiPropertyOptional() requestId?: string;
  @ApiPropertyOptional({ type: [ProblemFieldDto], description: 'One entry per invalid field' }) errors?: ProblemFieldDto[];
}
