import { connect, createServer, type Socket } from 'node:net';

/** A loopback TCP relay that can stop forwarding while keeping its connections open: a server that hangs. */
export interface FreezingProxy {
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Holds every byte on the connections open now, and with `newConnections` on later ones too. */
  freeze(options?: { newConnections?: boolean }): void;
  /** Delivers what was held and forwards again. */
  thaw(): void;
  close(): Promise<void>;
}

interface Pair {
  frozen: boolean;
  held: (() => void)[];
}

export async function startFreezingProxy(targetPort: number): Promise<FreezingProxy> {
  const pairs = new Set<Pair>();
  const sockets = new Set<Socket>();
  let holdNew = false;
  let accepted = 0;

  const server = createServer((client) => {
    accepted++;
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    const pair: Pair = { frozen: holdNew, held: [] };
    pairs.add(pair);
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (chunk) => (pair.frozen ? pair.held.push(() => to.write(chunk)) : to.write(chunk)));
    forward(client, upstream);
    forward(upstream, client);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined); // its partner is destroyed with it below
      socket.on('close', () => (sockets.delete(socket), pairs.delete(pair), client.destroy(), upstream.destroy()));
    }
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));

  return {
    port: (server.address() as { port: number }).port,
    get connections() {
      return accepted;
    },
    freeze({ newConnections = true } = {}) {
      holdNew = newConnections;
      for (const pair of pairs) pair.frozen = true;
    },
    thaw() {
      holdNew = false;
      for (const pair of pairs) {
        pair.frozen = false;
        pair.held.splice(0).forEach((deliver) => deliver());
      }
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
