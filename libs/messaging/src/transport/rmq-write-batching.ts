import type { ChannelModel } from 'amqplib';
import type { Duplex } from 'node:stream';

/** Marks a socket whose writes are already batched, so a second call leaves it as it is. */
const BATCHED = Symbol('commerce.rmq.batched-writes');

type BatchedSocket = Duplex & { [BATCHED]?: true };

/**
 * Lets the frames one turn of the event loop writes to the broker leave in one `writev` instead of
 * a syscall (and, with `noDelay`, a TCP segment) each: amqplib's multiplexer writes every frame to
 * the socket on its own, so a served request (reply and ack) or a run of publishes costs the
 * process, the kernel and the broker one write per frame. The socket is corked at the first write
 * of a turn and uncorked on the next tick, so nothing waits for a timer and the order of frames is
 * untouched; back-pressure is unchanged (a corked write past the high-water mark returns false and
 * amqplib waits for 'drain', which the uncork brings).
 *
 * amqplib offers no hook for this: the socket is its connection's `stream`, not part of its typed
 * API. When that is not a socket that can cork (another amqplib), nothing is changed and `false`
 * comes back, so the caller can say so; the transport works as before, one write per frame.
 * See docs/adr/0036-rmq-frames-of-a-turn-in-one-write.md.
 */
export function batchTurnWrites(model: ChannelModel): boolean {
  const socket = (model.connection as unknown as { stream?: unknown }).stream as BatchedSocket | undefined;
  if (!socket || typeof socket.write !== 'function' || typeof socket.cork !== 'function' || typeof socket.uncork !== 'function') return false;
  if (socket[BATCHED]) return true;
  const write = socket.write;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  socket.write = function batchedWrite(this: BatchedSocket, ...args: unknown[]): boolean {
    if (!corked && !socket.destroyed) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as typeof socket.write;
  socket[BATCHED] = true;
  return true;
}
