import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError, MessageContract, PayloadOf, ResultOf } from '@commerce/contracts';
import { MessagingClient, send } from '@commerce/messaging';
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

/** The call's deadline passed before an attempt could start (it waited for a bulkhead slot): not the target's fault. */
const DEADLINE_SPENT = 'EDGE.DEADLINE_SPENT';
/** A failure that says nothing about the request itself: worth a retry (if idempotent) and counted by the breaker. */
const isTransient = (error: Error) =>
  error instanceof DomainError && (error.kind === 'unavailable' || error.kind === 'timeout') && error.code !== DEADLINE_SPENT;
/** Failures that came when the call's deadline no longer leaves room for a retry. */
const outOfTime = new WeakSet<Error>();
/** Retry backoff: exponential with decorrelated jitter, from 50 ms up to this. */
const RETRY_MAX_DELAY_MS = 500;
/** A retry starts only with at least this much of the deadline left after its backoff. */
const RETRY_MIN_ATTEMPT_MS = 100;

interface Target {
  breaker: CircuitBreakerPolicy;
  /** Bulkhead, retries, breaker: built once per target, not per call. */
  query: IPolicy;
  /** Bulkhead and breaker: commands are never retried. */
  command: IPolicy;
}

/**
 * The edge's calls to services over the Nest client (MessagingClient), through cockatiel policies per target context: one deadline per
 * call (EDGE_QUERY_TIMEOUT_MS, EDGE_COMMAND_TIMEOUT_MS) that every attempt draws on, retry with
 * exponential backoff and jitter for queries only and only while the deadline leaves room, a
 * circuit breaker that opens on consecutive failed attempts and half-opens to probe, and a bulkhead
 * with a bounded queue. Rejections become 503 problems with Retry-After; see
 * docs/adr/0020-failfast-within-one-deadline.md.
 */
@Injectable()
export class ResilientBus {
  private readonly logger = new Logger(ResilientBus.name);
  private readonly targets = new Map<string, Target>();

  constructor(
    private readonly client: MessagingClient,
    @Inject(EDGE_CONFIG) private readonly config: EdgeConfig,
  ) {}

  request<C extends MessageContract<'query'>>(contract: C, payload: PayloadOf<C>): Promise<ResultOf<C>> {
    return this.run(contract, 'query', (timeoutMs) => send(this.client, contract, payload, { timeoutMs }));
  }

  send<C extends MessageContract<'command'>>(contract: C, payload: PayloadOf<C>): Promise<ResultOf<C>> {
    return this.run(contract, 'command', (timeoutMs) => send(this.client, contract, payload, { timeoutMs }));
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

  private async run<T>(contract: MessageContract, kind: 'query' | 'command', call: (timeoutMs: number) => Promise<T>): Promise<T> {
    const name = contract.type.split('.')[0];
    const target = this.target(name);
    const budgetMs = kind === 'query' ? this.config.EDGE_QUERY_TIMEOUT_MS : this.config.EDGE_COMMAND_TIMEOUT_MS;
    const deadline = performance.now() + budgetMs;
    const left = () => deadline - performance.now();
    // Each attempt gets what is left of the one deadline, so retries never stretch the call past it.
    const attempt = () => {
      const timeoutMs = Math.floor(left());
      if (timeoutMs <= 0) throw new DomainError(DEADLINE_SPENT, 'timeout', `${contract.type} waited ${budgetMs} ms for a free slot and was not sent`);
      return call(timeoutMs).catch((error: unknown) => {
        // Whether a retry fits depends on this call's deadline; the shared retry policy reads the mark.
        if (left() < RETRY_MAX_DELAY_MS + RETRY_MIN_ATTEMPT_MS && error instanceof Error) outOfTime.add(error);
        throw error;
      });
    };
    try {
      return await (kind === 'query' ? target.query : target.command).execute(attempt);
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
    const backoff = new ExponentialBackoff({ initialDelay: 50, maxDelay: RETRY_MAX_DELAY_MS });
    const retries = retry(
      handleWhen((error) => isTransient(error) && !outOfTime.has(error)),
      { maxAttempts: this.config.EDGE_QUERY_RETRIES, backoff },
    );
    // Outermost first: the bulkhead bounds concurrency, retries wrap the breaker, so an open circuit is not retried into.
    target = { breaker, query: wrap(limit, retries, breaker), command: wrap(limit, breaker) };
    this.targets.set(name, target);
    return target;
  }
}
