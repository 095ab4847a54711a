import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from '../harness/free-port.js';

/** A loopback TCP relay to `targetPort` that a test can cut and restore, as a network outage would. */
export interface TcpProxy {
  port: number;
  /** Stops listening and drops every relayed connection: the target looks unreachable. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a proxy on a free port; with `listening: false` it starts cut. */
export async function startTcpProxy(targetPort: number, { listening = true } = {}): Promise<TcpProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;

  const relay = (client: Socket) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined); // the other side is destroyed with it below
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  };
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer(relay);
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port }, resolve);
    });
  const cut = async () => {
    const closing = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };

  if (listening) await listen();
  return { port, cut, restore: () => (server ? Promise.resolve() : listen()), close: cut };
}
