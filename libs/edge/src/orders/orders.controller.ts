import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { SkipThrottle, Throttle, ThrottlerGuard } from '@nestjs/throttler';
import { CancelOrder, DomainError, GetOrder, GetProducts, GetProfile, ListOrders, OrderView, PlaceOrder, ResultOf } from '@commerce/contracts';
import { RequestValidationError } from '@commerce/platform';
import type { FastifyReply } from 'fastify';
import { ProblemDto } from '../problem.dto';
import { OrderDetailsDto } from './order-details.dto';
import { uuidParam } from '../uuid-param.pipe';
import { ResilientBus } from '../resilience/resilient-bus';
import { EDGE_CONFIG, EdgeConfig } from '../edge.config';
import { AuthUser, CurrentUser } from '../auth/auth.decorators';
import { HEADER_RULES, ListOrdersQueryDto, OrderAcceptedDto, OrderDto, OrderPageDto, PlaceOrderDto } from './order.dto';

function header(value: string | undefined, rule: RegExp, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (!rule.test(value)) throw new RequestValidationError([{ path: name, message: `${name} header is malformed` }]);
  return value;
}

/** The caller's order, or 404 (not 403) when it belongs to someone else, so its existence is not confirmed. */
function ownedBy(user: AuthUser, order: OrderView): OrderView {
  if (user.role !== 'admin' && order.customerId !== user.id) throw new DomainError('ORDERING.ORDER_NOT_FOUND', 'not-found', `Order ${order.id} does not exist`);
  return order;
}

/** REST for orders: customers see and cancel only their own; admins see all. */
@ApiTags('orders')
@ApiBearerAuth()
@ApiBadRequestResponse({ type: ProblemDto })
@Controller('api/orders')
export class OrdersController {
  constructor(
    private readonly bus: ResilientBus,
    @Inject(EDGE_CONFIG) private readonly config: EdgeConfig,
  ) {}

  @Post()
  @HttpCode(202)
  @UseGuards(ThrottlerGuard)
  @Throttle({ orders: {} })
  @SkipThrottle({ auth: true })
  @ApiTooManyRequestsResponse({ type: ProblemDto })
  @ApiOperation({ summary: 'Place an order; the order flow runs in the background (poll GET /api/orders/:id)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'The same key and body return the same order; another body is 409' })
  @ApiAcceptedResponse({ type: OrderAcceptedDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'ORDERING.IDEMPOTENCY_KEY_REUSED' })
  async place(
    @Body() body: PlaceOrderDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentUser() user: AuthUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ResultOf<typeof PlaceOrder>> {
    const result = await this.bus.send(PlaceOrder, {
      ...body,
      customerId: user.id,
      idempotencyKey: header(idempotencyKey, HEADER_RULES.idempotencyKey, 'Idempotency-Key'),
    });
    void reply.header('location', `/api/orders/${result.orderId}`);
    return result;
  }

  @Get()
  @ApiOperation({ summary: 'List my orders, newest first (an admin sees every order)' })
  @ApiOkResponse({ type: OrderPageDto })
  list(@Query() query: ListOrdersQueryDto, @CurrentUser() user: AuthUser): Promise<ResultOf<typeof ListOrders>> {
    return this.bus.request(ListOrders, {
      customerId: user.role === 'admin' ? undefined : user.id,
      status: query.status,
      limit: query.limit ?? 20,
      offset: query.offset ?? 0,
    });
  }

  @Get(':id')
  @ApiOperation({ summary: 'An order: status and history' })
  @ApiOkResponse({ type: OrderDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  async get(@Param('id', uuidParam) id: string, @CurrentUser() user: AuthUser): Promise<OrderView> {
    return ownedBy(user, await this.bus.request(GetOrder, { orderId: id }));
  }

  @Get(':id/details')
  @ApiOperation({ summary: 'An order with its customer and current product names, fetched in parallel; partial when a part is late' })
  @ApiOkResponse({ type: OrderDetailsDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  async details(@Param('id', uuidParam) id: string, @CurrentUser() user: AuthUser): Promise<OrderDetailsDto> {
    const order = ownedBy(user, await this.bus.request(GetOrder, { orderId: id }));
    const { history: _history, ...summary } = order;
    const [customer, products] = await Promise.all([
      this.inTime(this.bus.request(GetProfile, { userId: order.customerId })),
      this.inTime(this.bus.request(GetProducts, { ids: [...new Set(order.lines.map((l) => l.productId))] })),
    ]);
    const names = new Map(products?.items.map((p) => [p.id, p.name]));
    const missing = [...(customer ? [] : ['customer']), ...(products ? [] : ['products'])];
    return {
      order: summary,
      customer: customer ? { name: customer.name, email: customer.email } : null,
      lines: order.lines.map((l) => ({ ...l, currentName: products ? (names.get(l.productId) ?? null) : null })),
      partial: missing.length > 0,
      missing,
    };
  }

  /** The answer if it comes within the composition deadline, else undefined (the part is reported missing). */
  private async inTime<T>(call: Promise<T>): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), this.config.EDGE_COMPOSE_TIMEOUT_MS)));
    try {
      return await Promise.race([call.catch(() => undefined), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  @Post(':id/cancel')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel an order that has not shipped; what was done is compensated' })
  @ApiAcceptedResponse({ type: OrderAcceptedDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'ORDERING.NOT_CANCELLABLE' })
  async cancel(@Param('id', uuidParam) id: string, @CurrentUser() user: AuthUser): Promise<ResultOf<typeof CancelOrder>> {
    ownedBy(user, await this.bus.request(GetOrder, { orderId: id }));
    return this.bus.send(CancelOrder, { orderId: id });
  }
}
