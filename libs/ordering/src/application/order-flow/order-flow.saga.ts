import { Injectable, Logger } from '@nestjs/common';
import { ICommand, IEvent, ofType, Saga } from '@nestjs/cqrs';
import { catchError, EMPTY, filter, map, mergeMap, Observable, of } from 'rxjs';
import type { Compensation, Step } from '../../domain/order-events';
import { OrderAdvanced } from './order-advanced.event';
import { CompensateOrder, FinalizeOrder, RunOrderStep } from './order-flow.commands';

const STEPS: readonly string[] = ['reserve-stock', 'charge-payment', 'create-shipment', 'commit-stock'];
const COMPENSATIONS: readonly string[] = ['cancel-shipment', 'refund-payment', 'release-stock'];

/**
 * Maps order events to the commands of the order flow. Each event is mapped in its own inner
 * pipe with its own catchError, so one bad event cannot complete a stream for every other order.
 */
@Injectable()
export class OrderFlowSaga {
  private readonly logger = new Logger(OrderFlowSaga.name);

  @Saga()
  forward = (events$: Observable<IEvent>): Observable<ICommand> =>
    events$.pipe(
      ofType(OrderAdvanced),
      filter((e) => STEPS.includes(e.next)),
      mergeMap((e) => this.safely(e, () => new RunOrderStep(e.orderId, e.next as Step))),
    );

  @Saga()
  compensation = (events$: Observable<IEvent>): Observable<ICommand> =>
    events$.pipe(
      ofType(OrderAdvanced),
      filter((e) => COMPENSATIONS.includes(e.next)),
      mergeMap((e) => this.safely(e, () => new CompensateOrder(e.orderId, e.next as Compensation))),
    );

  @Saga()
  completion = (events$: Observable<IEvent>): Observable<ICommand> =>
    events$.pipe(
      ofType(OrderAdvanced),
      filter((e) => e.next === 'finalize'),
      mergeMap((e) => this.safely(e, () => new FinalizeOrder(e.orderId))),
    );

  private safely(event: OrderAdvanced, toCommand: () => ICommand): Observable<ICommand> {
    return of(event).pipe(
      map(toCommand),
      catchError((error: unknown) => {
        // Nothing here may touch the event again: it is the thing that failed.
        this.logger.error({ msg: 'order flow saga could not map an event; other orders are unaffected', err: error });
        return EMPTY;
      }),
    );
  }
}
