import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdjustStock, CreateProduct, GetProduct, GetStock, ListProducts, ProductView, ResultOf, StockLevelView, UpdateProduct } from '@commerce/contracts';
import type { FastifyReply } from 'fastify';
import { ProblemDto } from '../problem.dto';
import { uuidParam } from '../uuid-param.pipe';
import { ResilientBus } from '../resilience/resilient-bus';
import { Public, RequireRole } from '../auth/auth.decorators';
import { CreateProductDto, ListProductsQueryDto, ProductDto, ProductPageDto, UpdateProductDto } from './product.dto';
import { AdjustStockDto, StockLevelDto } from './stock.dto';

/** REST for products and stock, mapped one to one onto catalog messages. */
@ApiTags('products')
@ApiBadRequestResponse({ type: ProblemDto, description: 'Invalid input (problem+json)' })
@Controller('api/products')
export class ProductsController {
  constructor(private readonly bus: ResilientBus) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'List products, filtered by category and searched by text' })
  @ApiOkResponse({ type: ProductPageDto })
  list(@Query() query: ListProductsQueryDto): Promise<ResultOf<typeof ListProducts>> {
    return this.bus.request(ListProducts, { query: query.q, category: query.category, limit: query.limit ?? 20, offset: query.offset ?? 0 });
  }

  @Get(':id')
  @Public()
  @ApiOperation({ summary: 'Get one product' })
  @ApiOkResponse({ type: ProductDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  get(@Param('id', uuidParam) id: string): Promise<ProductView> {
    return this.bus.request(GetProduct, { id });
  }

  @Post()
  @RequireRole('admin')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Create a product (admin)' })
  @ApiCreatedResponse({ type: ProductDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'SKU already used' })
  async create(@Body() body: CreateProductDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<ProductView> {
    const product = await this.bus.send(CreateProduct, { ...body, description: body.description ?? '', initialStock: body.initialStock ?? 0 });
    void reply.header('location', `/api/products/${product.id}`);
    return product;
  }

  @Patch(':id')
  @RequireRole('admin')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Change some fields of a product (admin)' })
  @ApiOkResponse({ type: ProductDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  update(@Param('id', uuidParam) id: string, @Body() body: UpdateProductDto): Promise<ProductView> {
    return this.bus.send(UpdateProduct, { id, changes: body });
  }

  @Get(':id/stock')
  @Public()
  @ApiOperation({ summary: 'Stock counters of a product' })
  @ApiOkResponse({ type: StockLevelDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  stock(@Param('id', uuidParam) id: string): Promise<StockLevelView> {
    return this.bus.request(GetStock, { productId: id });
  }

  @Post(':id/stock')
  @HttpCode(200)
  @RequireRole('admin')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Adjust available stock by a signed delta (admin)' })
  @ApiOkResponse({ type: StockLevelDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'Stock would go below zero' })
  adjust(@Param('id', uuidParam) id: string, @Body() body: AdjustStockDto): Promise<StockLevelView> {
    return this.bus.send(AdjustStock, { productId: id, delta: body.delta, reason: body.reason });
  }
}
