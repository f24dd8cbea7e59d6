import { Injectable, Logger } from '@nestjs/common';
import { ICommand, IEvent, ofType, Saga } from '@nestjs/cqrs';
import { catchError, EMPTY, filter, mergeMap, Observable, of } from 'rxjs';
import { Compensation, OrderFlowDefinition as flow, Step } from '../../domain/order-flow.definition';
import { OrderAdvanced } from './order-advanced.event';
import { CompensateOrder, FinalizeOrder, RunOrderStep } from './order-flow.commands';

/**
 * Maps what an order's recorded events leave it to do next to the command that does it, reading
 * the flow's definition: a forward step runs, a compensation undoes, `finalize` records the
 * outcome. Each event is mapped in its own inner pipe with its own catchError, so one bad event
 * cannot complete a stream (which @nestjs/cqrs would not resubscribe) for every other order.
 */
@Injectable()
export class OrderFlowSaga {
  private readonly logger = new Logger(OrderFlowSaga.name);

  @Saga()
  forward = (events$: Observable<IEvent>): Observable<ICommand> =>
    events$.pipe(
      ofType(OrderAdvanced),
      mergeMap((e) => this.safely(e, () => (flow.step(e.next) ? new RunOrderStep(e.orderId, e.next as Step) : undefined))),
    );

  @Saga()
  compensation = (events$: Observable<IEvent>): Observable<ICommand> =>
    events$.pipe(
      ofType(OrderAdvanced),
      mergeMap((e) => this.safely(e, () => (flow.compensation(e.next) ? new CompensateOrder(e.orderId, e.next as Compensation) : undefined))),
    );

  @Saga()
  completion = (events$: Observable<IEvent>): Observable<ICommand> =>
    events$.pipe(
      ofType(OrderAdvanced),
      mergeMap((e) => this.safely(e, () => (e.next === 'finalize' ? new FinalizeOrder(e.orderId) : undefined))),
    );

  private safely(event: OrderAdvanced, toCommand: () => ICommand | undefined): Observable<ICommand> {
    return of(event).pipe(
      mergeMap(() => {
        const command = toCommand();
        return command ? of(command) : EMPTY;
      }),
      filter(Boolean),
      catchError((error: unknown) => {
        // Nothing here may touch the event again: it is the thing that failed.
        this.logger.error({ msg: 'order flow saga could not map an event; other orders are unaffected', err: error });
        return EMPTY;
      }),
    );
  }
}
