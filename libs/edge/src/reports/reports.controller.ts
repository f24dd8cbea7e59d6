import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { GetProjectionStatus, GetSalesReport, ListCustomerOrders, RebuildProjection, ResultOf, RetryProjection } from '@commerce/contracts';
import { RequestValidationError } from '@commerce/platform';
import { AuthUser, CurrentUser, RequireRole } from '../auth/auth.decorators';
import { ProblemDto } from '../problem.dto';
import { ResilientBus } from '../resilience/resilient-bus';
import { CustomerOrderPageDto, MyOrdersQueryDto, ProjectionStatusDto, SalesReportDto, SalesReportQueryDto } from './report.dto';

const PROJECTION = /^[a-z][a-z0-9_]{0,62}$/;

function projectionName(name: string): string {
  if (!PROJECTION.test(name)) throw new RequestValidationError([{ path: 'name', message: 'name must be a projection name such as sales_daily' }]);
  return name;
}

/** Read models of the reporting context: the sales report, the caller's orders, projection admin. */
@ApiTags('reports')
@ApiBearerAuth()
@ApiBadRequestResponse({ type: ProblemDto })
@Controller('api')
export class ReportsController {
  constructor(private readonly bus: ResilientBus) {}

  @Get('reports/sales')
  @RequireRole('admin')
  @ApiOperation({ summary: 'Sales per product per day (units, revenue, refunds), from the reporting read model (admin)' })
  @ApiOkResponse({ type: SalesReportDto })
  sales(@Query() query: SalesReportQueryDto): Promise<ResultOf<typeof GetSalesReport>> {
    return this.bus.request(GetSalesReport, { from: query.from, to: query.to });
  }

  @Get('me/orders')
  @ApiOperation({ summary: 'My orders with their outcome and tracking number, from the reporting read model (may lag a moment)' })
  @ApiOkResponse({ type: CustomerOrderPageDto })
  myOrders(@Query() query: MyOrdersQueryDto, @CurrentUser() user: AuthUser): Promise<ResultOf<typeof ListCustomerOrders>> {
    return this.bus.request(ListCustomerOrders, { customerId: user.id, limit: query.limit ?? 20, offset: query.offset ?? 0 });
  }

  @Get('admin/projections')
  @RequireRole('admin')
  @ApiOperation({ summary: 'Position, lag and state of every reporting projection (admin)' })
  @ApiOkResponse({ type: [ProjectionStatusDto] })
  async projections(): Promise<ResultOf<typeof GetProjectionStatus>['projections']> {
    return (await this.bus.request(GetProjectionStatus, {})).projections;
  }

  @Post('admin/projections/:name/rebuild')
  @HttpCode(202)
  @RequireRole('admin')
  @ApiOperation({ summary: 'Rebuild a projection beside the live one from the event log; readers switch when it has caught up (admin)' })
  @ApiAcceptedResponse({ schema: { example: { name: 'sales_daily', version: 2 } } })
  @ApiNotFoundResponse({ type: ProblemDto })
  rebuild(@Param('name') name: string): Promise<ResultOf<typeof RebuildProjection>> {
    return this.bus.send(RebuildProjection, { name: projectionName(name) });
  }

  @Post('admin/projections/:name/retry')
  @HttpCode(200)
  @RequireRole('admin')
  @ApiOperation({ summary: 'Resume a failed projection from its checkpoint, once its cause is fixed (admin)' })
  @ApiOkResponse({ schema: { example: { name: 'sales_daily', resumed: 1 } } })
  @ApiNotFoundResponse({ type: ProblemDto })
  retry(@Param('name') name: string): Promise<ResultOf<typeof RetryProjection>> {
    return this.bus.send(RetryProjection, { name: projectionName(name) });
  }
}
