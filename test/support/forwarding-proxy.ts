import { createServer, request as forward, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A reverse proxy as nginx is usually set up: it appends the client's address to X-Forwarded-For. */
export interface ForwardingProxy {
  url: string;
  close(): Promise<void>;
}

/**
 * Forwards every request to `target`, connecting from `localAddress` so the upstream can tell
 * the proxy's address from the client's (any 127.x address is loopback on Linux).
 */
export async function startForwardingProxy(target: string, localAddress = '127.0.0.3'): Promise<ForwardingProxy> {
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const prior = req.headers['x-forwarded-for'];
    const chain = [prior, req.socket.remoteAddress].filter(Boolean).join(', ');
    const out = forward(
      { host: upstream.hostname, port: upstream.port, localAddress, method: req.method, path: req.url, headers: { ...req.headers, 'x-forwarded-for': chain } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.writeHead(502).end());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
