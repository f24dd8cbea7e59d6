import { BaseRpcContext } from '@nestjs/microservices';
import type { Envelope, MessageContract } from '@commerce/contracts';

/** What `@Ctx()` gives a message handler: the envelope as received, its contract and the handler's name. */
export class MessageContext extends BaseRpcContext<[Envelope, MessageContract, string]> {
  /** The message as it arrived: id, type, correlation and causation ids, trace context, raw payload. */
  getEnvelope(): Envelope {
    return this.args[0];
  }

  getContract(): MessageContract {
    return this.args[1];
  }

  /** `<Class>.<method>`: the name the inbox and the dead letters know this handler by. */
  getHandlerName(): string {
    return this.args[2];
  }
}
