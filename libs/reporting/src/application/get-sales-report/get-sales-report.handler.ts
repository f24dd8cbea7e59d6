import { Controller } from '@nestjs/common';
import { GetSalesReport, PayloadOf, ResultOf } from '@commerce/contracts';
import { Handles } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { DataSource } from 'typeorm';

/** Answers sales per product per day from the live version of the sales projection. */
@Controller()
export class GetSalesReportHandler {
  constructor(@InjectDataSource('reporting') private readonly dataSource: DataSource) {}

  @Handles(GetSalesReport)
  async handle({ from, to }: PayloadOf<typeof GetSalesReport>): Promise<ResultOf<typeof GetSalesReport>> {
    const rows = (await this.dataSource.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, product_id AS "productId", currency, units::int AS units, revenue::float8 AS revenue, refunds::float8 AS refunds
         FROM reporting.sales_daily WHERE day BETWEEN $1 AND $2 ORDER BY day, product_id`,
      [from, to],
    )) as ResultOf<typeof GetSalesReport>['items'];
    return { items: rows };
  }
}
