import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';

/**
 * Below Linux's ephemeral range (32768-60999 by default). A cluster's nodes are stopped and
 * started again on the ports chosen when it was created; a port from the ephemeral range may by
 * then be the local end of some outgoing connection, and the node could not bind it.
 */
const RANGE = { from: 20_000, to: 32_767 } as const;

/** Whether `port` can be listened on now (0: any port the kernel picks). Resolves to the port, or undefined. */
function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      const address = server.address();
      server.close(() => resolve(address && typeof address === 'object' ? address.port : undefined));
    });
  });
}

/** A free loopback port below the ephemeral range; a kernel-chosen one if that range seems full. */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await tryListen(randomInt(RANGE.from, RANGE.to + 1));
    if (port !== undefined) return port;
  }
  const any = await tryListen(0);
  if (any === undefined) throw new Error('no free loopback port');
  return any;
}

/** `count` distinct free loopback ports, none of them in `exclude`. */
export async function freePorts(count: number, exclude: number[] = []): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    const port = await freePort();
    if (!exclude.includes(port)) ports.add(port);
  }
  return [...ports];
}
