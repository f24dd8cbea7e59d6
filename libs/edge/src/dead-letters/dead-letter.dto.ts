import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Query string of the dead-letter listing. */
export class ListDeadLettersQueryDto {
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

/** A message parked after its last attempt. */
export class DeadLetterDto {
  @ApiProperty({ description: 'Id to replay or discard it with (the message id)' }) id!: string;
  @ApiProperty({ example: 'catalog.stock-reserved.v1' }) type!: string;
  @ApiProperty({ type: [String], description: 'Handlers that failed it' }) handlers!: string[];
  @ApiProperty({ description: 'The last error, per handler' }) error!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ format: 'date-time' }) deadAt!: string;
  @ApiProperty({ description: 'The message as received (text when it was not JSON)' }) message!: unknown;
}
