import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** RFC 9457 problem details, as every error is returned. */
export class ProblemDto {
  @ApiProperty({ example: 'urn:commerce-kit:problem:catalog.product_not_found' }) type!: string;
  @ApiProperty({ example: 'Not Found' }) title!: string;
  @ApiProperty({ example: 404 }) status!: number;
  @ApiProperty({ example: 'CATALOG.PRODUCT_NOT_FOUND', description: 'Stable error code' }) code!: string;
  @ApiPropertyOptional() detail?: string;
  @ApiPropertyOptional() instance?: string;
  @ApiPropertyOptional() requestId?: string;
  @ApiPropertyOptional({ description: 'One entry per invalid field' }) errors?: { path: string; message: string }[];
}
