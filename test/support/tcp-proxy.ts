import { createConnection, createServer, Socket } from 'node:net';

/** A TCP proxy a test opens and closes, to make a shared service (broker, database) look down without touching it. */
export interface TcpProxy {
  port: number;
  /** Accepts connections and forwards them to the target. */
  open(): void;
  /** Refuses new connections (reset on accept) and cuts the open ones. */
  close(): void;
  stop(): Promise<void>;
}

/** Starts a proxy on a free loopback port in front of 127.0.0.1:`targetPort`, initially closed unless told otherwise. */
export async function startTcpProxy(targetPort: number, initiallyOpen = false): Promise<TcpProxy> {
  let accepting = initiallyOpen;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    if (!accepting) return client.resetAndDestroy();
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const cut = () => sockets.forEach((s) => s.destroy());
  return {
    port: (server.address() as { port: number }).port,
    open: () => {
      accepting = true;
    },
    close: () => {
      accepting = false;
      cut();
    },
    stop: async () => {
      accepting = false;
      cut();
      await new Promise((ok) => server.close(ok));
    },
  };
}
