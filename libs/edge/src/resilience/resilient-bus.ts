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
  /** The target context, e.g. `catalog`. */
  name: string;
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
  /** The same targets by message type. */
  private readonly byType = new Map<string, Target>();

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

  /** A continuation that maps the policies' rejections, not an async function: every call from the edge takes this path. */
  private run<T>(contract: MessageContract, kind: 'query' | 'command', call: (timeoutMs: number) => Promise<T>): Promise<T> {
    const target = this.target(contract.type);
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
    return (kind === 'query' ? target.query : target.command).execute(attempt).catch((error: unknown) => {
      if (error instanceof BrokenCircuitError)
        throw this.unavailable(`EDGE.CIRCUIT_OPEN`, `${target.name} is failing; calls are paused`, Math.ceil(this.config.EDGE_BREAKER_HALF_OPEN_MS / 1000));
      if (error instanceof BulkheadRejectedError) throw this.unavailable('EDGE.OVERLOADED', `too many concurrent calls to ${target.name}`, 1);
      throw error;
    });
  }

  private unavailable(code: string, message: string, retryAfterSeconds: number): DomainError {
    return new DomainError(code, 'unavailable', message, { retryAfterSeconds });
  }

  /** The policies of the context that owns a message type (the type's first segment), found by type without splitting it per call. */
  private target(type: string): Target {
    const known = this.byType.get(type);
    if (known) return known;
    const target = this.targetNamed(type.split('.')[0]);
    this.byType.set(type, target);
    return target;
  }

  private targetNamed(name: string): Target {
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
    target = { name, breaker, query: wrap(limit, retries, breaker), command: wrap(limit, breaker) };
    this.targets.set(name, target);
    return target;
  }
}
