import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CancelOrder, GetOrder, ListOrders, OrderView, PlaceOrder, ResultOf } from '@commerce/contracts';
import { MessageBus } from '@commerce/messaging';
import { RequestValidationError } from '@commerce/platform';
import type { FastifyReply } from 'fastify';
import { ProblemDto } from '../problem.dto';
import { HEADER_RULES, ListOrdersQueryDto, OrderAcceptedDto, OrderDto, OrderPageDto, PlaceOrderDto } from './order.dto';

const uuid = new ParseUUIDPipe({ exceptionFactory: () => new RequestValidationError([{ path: 'id', message: 'id must be a UUID' }]) });

function header(value: string | undefined, rule: RegExp, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (!rule.test(value)) throw new RequestValidationError([{ path: name, message: `${name} header is malformed` }]);
  return value;
}

/** REST for orders. Until identity lands, the customer is named by the X-Customer-Id header. */
@ApiTags('orders')
@ApiBadRequestResponse({ type: ProblemDto })
@ApiHeader({ name: 'X-Customer-Id', required: false, description: 'Placeholder for the authenticated customer (default "anonymous")' })
@Controller('api/orders')
export class OrdersController {
  constructor(private readonly bus: MessageBus) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Place an order; the order flow runs in the background (poll GET /api/orders/:id)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'The same key and body return the same order; another body is 409' })
  @ApiAcceptedResponse({ type: OrderAcceptedDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'ORDERING.IDEMPOTENCY_KEY_REUSED' })
  async place(
    @Body() body: PlaceOrderDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('x-customer-id') customer: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ResultOf<typeof PlaceOrder>> {
    const result = await this.bus.send(PlaceOrder, {
      ...body,
      customerId: header(customer, HEADER_RULES.customerId, 'X-Customer-Id') ?? 'anonymous',
      idempotencyKey: header(idempotencyKey, HEADER_RULES.idempotencyKey, 'Idempotency-Key'),
    });
    void reply.header('location', `/api/orders/${result.orderId}`);
    return result;
  }

  @Get()
  @ApiOperation({ summary: "List orders, newest first (the caller's own when X-Customer-Id is sent)" })
  @ApiOkResponse({ type: OrderPageDto })
  list(@Query() query: ListOrdersQueryDto, @Headers('x-customer-id') customer: string | undefined): Promise<ResultOf<typeof ListOrders>> {
    return this.bus.request(ListOrders, {
      customerId: header(customer, HEADER_RULES.customerId, 'X-Customer-Id'),
      status: query.status,
      limit: query.limit ?? 20,
      offset: query.offset ?? 0,
    });
  }

  @Get(':id')
  @ApiOperation({ summary: 'An order: status and history' })
  @ApiOkResponse({ type: OrderDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  get(@Param('id', uuid) id: string): Promise<OrderView> {
    return this.bus.request(GetOrder, { orderId: id });
  }

  @Post(':id/cancel')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel an order that has not shipped; what was done is compensated' })
  @ApiAcceptedResponse({ type: OrderAcceptedDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'ORDERING.NOT_CANCELLABLE' })
  cancel(@Param('id', uuid) id: string): Promise<ResultOf<typeof CancelOrder>> {
    return this.bus.send(CancelOrder, { orderId: id });
  }
}
