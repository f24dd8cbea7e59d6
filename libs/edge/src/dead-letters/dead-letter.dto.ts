import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DEAD_LETTER_PAGE } from '@commerce/messaging';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Query string of the dead-letter listing: a small page by default, bounded whatever is asked. */
export class ListDeadLettersQueryDto {
  @ApiPropertyOptional({ default: DEAD_LETTER_PAGE.defaultLimit, minimum: 1, maximum: DEAD_LETTER_PAGE.maxLimit })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(DEAD_LETTER_PAGE.maxLimit)
  limit?: number;

  @ApiPropertyOptional({ default: 0, minimum: 0, maximum: DEAD_LETTER_PAGE.maxOffset, description: 'Letters to skip, oldest first' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(DEAD_LETTER_PAGE.maxOffset)
  offset?: number;
}

/** A message parked after its last attempt, or because it could not be read. */
class DeadLetterFieldsDto {
  @ApiProperty({ description: 'Id to fetch, replay or discard it with (the message id)' }) id!: string;
  @ApiProperty({ example: 'catalog.stock-reserved.v1' }) type!: string;
  @ApiProperty({ type: [String], description: 'Handlers that failed it' }) handlers!: string[];
  @ApiProperty({ description: 'Why it was parked: the last error, per handler' }) error!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ format: 'date-time' }) deadAt!: string;
}

/** A dead letter in a listing: its body measured and previewed, not included. */
export class DeadLetterSummaryDto extends DeadLetterFieldsDto {
  @ApiProperty({ description: 'Size of the message body in bytes' }) size!: number;
  @ApiProperty({ description: 'The start of the body as text (at most 500 characters)' }) preview!: string;
  @ApiProperty({ description: 'Whether the body is longer than the preview: GET /api/admin/dead-letters/:service/:id has it whole' })
  truncated!: boolean;
}

/** One page of dead letters. */
export class DeadLetterPageDto {
  @ApiProperty({ type: [DeadLetterSummaryDto] }) items!: DeadLetterSummaryDto[];
  @ApiProperty() offset!: number;
  @ApiProperty() limit!: number;
  @ApiProperty({ description: 'Dead letters waiting in all' }) total!: number;
}

/** One dead letter whole. */
export class DeadLetterDto extends DeadLetterFieldsDto {
  @ApiProperty({ description: 'The message as received (text when it was not JSON)' }) message!: unknown;
}
