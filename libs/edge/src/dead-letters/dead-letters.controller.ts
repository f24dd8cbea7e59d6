import { Controller, Delete, Get, HttpCode, Inject, NotFoundException, Param, PipeTransform, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { DEAD_LETTER_PAGE, DeadLetter, DeadLetterPage, Transport, TRANSPORT } from '@commerce/messaging';
import { RequestValidationError } from '@commerce/platform';
import { ProblemDto } from '../problem.dto';
import { RequireRole } from '../auth/auth.decorators';
import { DeadLetterDto, DeadLetterPageDto, ListDeadLettersQueryDto } from './dead-letter.dto';

const SERVICE = /^[a-z][a-z0-9-]{0,40}$/;

/** Validates the `:service` path segment. */
class ServiceNamePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!SERVICE.test(value)) throw new RequestValidationError([{ path: 'service', message: 'service must be a lower-case service name' }]);
    return value;
  }
}

/** Lists, replays and discards the dead letters of a service (admin). */
@ApiTags('admin')
@ApiBearerAuth()
@RequireRole('admin')
@Controller('api/admin/dead-letters')
export class DeadLettersController {
  constructor(@Inject(TRANSPORT) private readonly transport: Transport) {}

  @Get(':service')
  @ApiOperation({ summary: "List a service's dead letters, oldest first, a page at a time, bodies previewed" })
  @ApiParam({ name: 'service', example: 'catalog' })
  @ApiOkResponse({ type: DeadLetterPageDto })
  list(@Param('service', ServiceNamePipe) service: string, @Query() query: ListDeadLettersQueryDto): Promise<DeadLetterPage> {
    return this.transport.list(service, { offset: query.offset ?? 0, limit: query.limit ?? DEAD_LETTER_PAGE.defaultLimit });
  }

  @Get(':service/:id')
  @ApiOperation({ summary: 'One dead letter with its whole message' })
  @ApiOkResponse({ type: DeadLetterDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  async get(@Param('service', ServiceNamePipe) service: string, @Param('id') id: string): Promise<DeadLetter> {
    const letter = await this.transport.get(service, id);
    if (!letter) throw new NotFoundException(`No dead letter ${id} for ${service}`);
    return letter;
  }

  @Post(':service/:id/replay')
  @HttpCode(204)
  @ApiOperation({ summary: 'Send a dead letter back to the handlers that failed it' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ProblemDto })
  async replay(@Param('service', ServiceNamePipe) service: string, @Param('id') id: string): Promise<void> {
    if (!(await this.transport.replay(service, id))) throw new NotFoundException(`No dead letter ${id} for ${service}`);
  }

  @Delete(':service/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Discard a dead letter' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ProblemDto })
  async discard(@Param('service', ServiceNamePipe) service: string, @Param('id') id: string): Promise<void> {
    if (!(await this.transport.discard(service, id))) throw new NotFoundException(`No dead letter ${id} for ${service}`);
  }
}
