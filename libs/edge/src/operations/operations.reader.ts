import { Inject, Injectable } from '@nestjs/common';
import { ListOrders, OrderStatus, orderStatusSchema, OrderView } from '@commerce/contracts';
import { MessagingClient, outboxStateQuery, send, SERVICE_NAME, Transport, TRANSPORT } from '@commerce/messaging';
import { EDGE_CONFIG, EdgeConfig } from '../edge.config';
import { ResilientBus } from '../resilience/resilient-bus';
import type { Overview } from './operations.pages';

const NOT_FINAL: OrderStatus[] = ['PLACED', 'STOCK_RESERVED', 'PAID', 'COMPENSATING'];

/** Gathers the overview over the bus, every part in parallel; a part whose owner does not answer shows as missing. */
@Injectable()
export class OperationsReader {
  constructor(
    private readonly resilient: ResilientBus,
    private readonly client: MessagingClient,
    @Inject(TRANSPORT) private readonly transport: Transport,
    @Inject(SERVICE_NAME) private readonly service: string,
    @Inject(EDGE_CONFIG) private readonly config: EdgeConfig,
  ) {}

  /** The services this process can see: every configured one from the gateway, itself in a monolith. */
  services(): string[] {
    return this.service === 'gateway' ? this.config.OPS_SERVICES : [this.service];
  }

  async overview(nowMs: number): Promise<Overview> {
    const statuses = orderStatusSchema.options;
    const [pages, recent, deadLetters, outboxes] = await Promise.all([
      Promise.all(statuses.map((status) => this.resilient.request(ListOrders, { status, limit: 20, offset: 0 }).catch(() => undefined))),
      this.resilient.request(ListOrders, { limit: 20, offset: 0 }).catch(() => undefined),
      Promise.all(
        this.services().map(async (service) => ({
          service,
          letters: (await this.transport.list(service, { offset: 0, limit: 50 }).catch(() => undefined))?.items,
        })),
      ),
      Promise.all(
        this.services().map(async (service) => ({
          service,
          backlog: await send(this.client, outboxStateQuery(service), {}, { timeoutMs: this.config.EDGE_COMPOSE_TIMEOUT_MS }).catch(() => undefined),
        })),
      ),
    ]);
    const byStatus = new Map(statuses.map((s, i) => [s, pages[i]]));
    const stuck = NOT_FINAL.flatMap((s) => byStatus.get(s)?.items ?? []).filter((o) => nowMs - Date.parse(o.updatedAt) > this.config.OPS_STUCK_AFTER_MS);
    const failed: OrderView[] = [...(byStatus.get('COMPENSATION_FAILED')?.items ?? []), ...(byStatus.get('PARKED')?.items ?? [])];
    return {
      counts: statuses.map((status) => ({ status, total: byStatus.get(status)?.total })),
      attention: [...failed, ...stuck.sort((a, b) => a.updatedAt.localeCompare(b.updatedAt))],
      recent: recent?.items ?? [],
      deadLetters,
      breakers: this.resilient.states(),
      outboxes,
    };
  }
}
