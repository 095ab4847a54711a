import { connect, createServer, type Server, type Socket } from 'node:net';
import { freePort } from '../harness/free-port.js';

/**
 * A loopback TCP relay to a server, for two kinds of outage: `cut` (the server is unreachable:
 * connections drop, new ones are refused) and `freeze` (the server hangs: connections stay open
 * but nothing arrives).
 */
export interface TcpProxy {
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Stops listening and drops every relayed connection. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  /** Holds every byte on the connections open now, and with `newConnections` on later ones too. */
  freeze(options?: { newConnections?: boolean }): void;
  /** Delivers what was held and forwards again. */
  thaw(): void;
  /** From now on, freezes any connection the moment its client sends bytes containing `text`. */
  freezeOn(text: string): void;
  /** Connections frozen by `freezeOn` so far. */
  readonly frozenOn: number;
  close(): Promise<void>;
}

interface Pair {
  frozen: boolean;
  held: (() => void)[];
}

/** Starts a proxy on a free port; with `listening: false` it starts cut. */
export async function startTcpProxy(targetPort: number, { listening = true } = {}): Promise<TcpProxy> {
  const port = await freePort();
  const pairs = new Set<Pair>();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let holdNew = false;
  let accepted = 0;
  let trigger: string | undefined;
  let triggered = 0;

  const relay = (client: Socket) => {
    accepted++;
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    const pair: Pair = { frozen: holdNew, held: [] };
    pairs.add(pair);
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (from === client && trigger && !pair.frozen && chunk.includes(trigger)) (pair.frozen = true), triggered++;
        if (pair.frozen) pair.held.push(() => to.write(chunk));
        else to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined); // its partner is destroyed with it below
      socket.on('close', () => (sockets.delete(socket), pairs.delete(pair), client.destroy(), upstream.destroy()));
    }
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
  return {
    port,
    get connections() {
      return accepted;
    },
    cut,
    restore: () => (server ? Promise.resolve() : listen()),
    freeze({ newConnections = true } = {}) {
      holdNew = newConnections;
      for (const pair of pairs) pair.frozen = true;
    },
    freezeOn(text) {
      trigger = text;
    },
    get frozenOn() {
      return triggered;
    },
    thaw() {
      holdNew = false;
      trigger = undefined;
      for (const pair of pairs) {
        pair.frozen = false;
        pair.held.splice(0).forEach((deliver) => deliver());
      }
    },
    close: cut,
  };
}
