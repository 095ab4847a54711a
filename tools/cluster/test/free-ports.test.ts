import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePorts } from '../src/free-ports.js';

describe('the ports a cluster is planned on', () => {
  it('are distinct, below the ephemeral range (where outgoing connections could take them), and free', async () => {
    const ports = await freePorts(40);
    expect(new Set(ports).size).toBe(40);
    for (const port of ports) expect(port).toBeGreaterThanOrEqual(20_000), expect(port).toBeLessThan(32_768);
    // Free: each can be listened on now.
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen({ host: '127.0.0.1', port: ports[0], exclusive: true }, resolve));
    await new Promise((resolve) => server.close(resolve));
  });
});
