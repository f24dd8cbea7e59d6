import { Controller, Get, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import * as contracts from '@commerce/contracts';
import { asyncApiDocument, MESSAGING_CONFIG, MessagingConfig } from '@commerce/messaging';
import { Public } from '@commerce/platform';

/** Serves the AsyncAPI 3 document of every message contract beside the OpenAPI one. */
@ApiExcludeController()
@Public()
@Controller('docs')
export class AsyncApiController {
  private readonly document: object;

  constructor(@Inject(MESSAGING_CONFIG) config: MessagingConfig) {
    const all = contracts.messageContracts();
    this.document = asyncApiDocument(all, { prefix: config.RMQ_PREFIX, version: '1' });
  }

  @Get('asyncapi.json')
  get(): object {
    return this.document;
  }
}
