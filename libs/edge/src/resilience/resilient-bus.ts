import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError, MessageContract, PayloadOf, ResultOf } from '@commerce/contracts';
import { MessageBus } from '@commerce/messaging';
import {
  BrokenCircuitError,
  bulkhead,
  BulkheadRejectedError,
  CircuitBreakerPolicy,
  CircuitState,
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  IPolicy,
  retry,
  wrap,
} from 'cockatiel';
import { EDGE_CONFIG, EdgeConfig } from '../edge.config';

/** A failure that says nothing about the request itself: worth a retry (if idempotent) and counted by the breaker. */
const isTransient = (error: Error) => error instanceof DomainError && (error.kind === 'unavailable' || error.kind === 'timeout');

interface Target {
  breaker: CircuitBreakerPolicy;
  query: IPolicy;
  command: IPolicy;
}

/**
 * The edge's calls to services, through cockatiel policies per target context: a timeout on every
 * call, retry with exponential backoff and jitter for queries only, a circuit breaker that opens on
 * consecutive failures and half-opens to probe, and a bulkhead with a bounded queue. Rejections
 * become 503 problems with Retry-After.
 */
@Injectable()
export class ResilientBus {
  private readonly logger = new Logger(ResilientBus.name);
  private readonly targets = new Map<string, Target>();

  constructor(
    private readonly bus: MessageBus,
    @Inject(EDGE_CONFIG) private readonly config: EdgeConfig,
  ) {}

  request<C extends MessageContract<'query'>>(contract: C, payload: PayloadOf<C>): Promise<ResultOf<C>> {
    return this.run(contract, 'query', () => this.bus.request(contract, payload, { timeoutMs: this.config.EDGE_QUERY_TIMEOUT_MS }));
  }

  send<C extends MessageContract<'command'>>(contract: C, payload: PayloadOf<C>): Promise<ResultOf<C>> {
    return this.run(contract, 'command', () => this.bus.send(contract, payload, { timeoutMs: this.config.EDGE_COMMAND_TIMEOUT_MS }));
  }

  /** Breaker state per target, for health details. */
  states(): Record<string, 'closed' | 'open' | 'half-open' | 'isolated'> {
    const names = {
      [CircuitState.Closed]: 'closed',
      [CircuitState.Open]: 'open',
      [CircuitState.HalfOpen]: 'half-open',
      [CircuitState.Isolated]: 'isolated',
    } as const;
    return Object.fromEntries([...this.targets].map(([name, t]) => [name, names[t.breaker.state]]));
  }

  private async run<T>(contract: MessageContract, kind: 'query' | 'command', call: () => Promise<T>): Promise<T> {
    const name = contract.type.split('.')[0];
    const target = this.target(name);
    try {
      return await (kind === 'query' ? target.query : target.command).execute(call);
    } catch (error) {
      if (error instanceof BrokenCircuitError)
        throw this.unavailable(`EDGE.CIRCUIT_OPEN`, `${name} is failing; calls are paused`, Math.ceil(this.config.EDGE_BREAKER_HALF_OPEN_MS / 1000));
      if (error instanceof BulkheadRejectedError) throw this.unavailable('EDGE.OVERLOADED', `too many concurrent calls to ${name}`, 1);
      throw error;
    }
  }

  private unavailable(code: string, message: string, retryAfterSeconds: number): DomainError {
    return new DomainError(code, 'unavailable', message, { retryAfterSeconds });
  }

  private target(name: string): Target {
    let target = this.targets.get(name);
    if (target) return target;
    const breaker = circuitBreaker(handleWhen(isTransient), {
      halfOpenAfter: this.config.EDGE_BREAKER_HALF_OPEN_MS,
      breaker: new ConsecutiveBreaker(this.config.EDGE_BREAKER_THRESHOLD),
    });
    breaker.onBreak(() => this.logger.warn({ msg: 'circuit opened', target: name }));
    breaker.onHalfOpen(() => this.logger.log({ msg: 'circuit half-open: probing', target: name }));
    breaker.onReset(() => this.logger.log({ msg: 'circuit closed', target: name }));
    const limit = bulkhead(this.config.EDGE_BULKHEAD_LIMIT, this.config.EDGE_BULKHEAD_QUEUE);
    const retries = retry(handleWhen(isTransient), {
      maxAttempts: this.config.EDGE_QUERY_RETRIES,
      backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 500 }),
    });
    // Outermost first: the bulkhead bounds concurrency, retries wrap the breaker, so an open circuit is not retried into.
    target = { breaker, query: wrap(limit, retries, breaker), command: wrap(limit, breaker) };
    this.targets.set(name, target);
    return target;
  }
}
