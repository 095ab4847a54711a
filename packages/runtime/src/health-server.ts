import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { metricsExposition, type Registry } from './metrics.js';

/** What a service's /readyz asks. */
export interface ReadinessProbe {
  /** Why the service cannot do its work now, or undefined when it can. */
  problem(): Promise<string | undefined>;
}

export interface HealthServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves GET /healthz (the process runs) and GET /readyz (it can serve requests, else 503 with
 * the reason) for orchestrators, and GET /metrics for Prometheus. Nothing else: it is not the
 * Front End's web app. It listens on an internal address (HEALTH_HOST), so /metrics has no token.
 */
export async function startHealthServer(address: { host: string; port: number }, readiness: ReadinessProbe, logger: Logger, registry?: Registry): Promise<HealthServer> {
  const server = createServer((request, response) => {
    const path = request.url?.split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, { status: 'method not allowed' });
    if (path === '/healthz') return send(response, 200, { status: 'ok' });
    if (path === '/metrics' && registry) return sendMetrics(response, registry);
    if (path !== '/readyz') return send(response, 404, { status: 'not found' });
    readiness.problem().then(
      (reason) => send(response, reason ? 503 : 200, reason ? { status: 'not ready', reason } : { status: 'ready' }),
      () => send(response, 503, { status: 'not ready', reason: 'the readiness check failed' }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${port}`;
  logger.info(`Health checks on ${url}/healthz and /readyz${registry ? ', metrics on /metrics' : ''}`);
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

function sendMetrics(response: ServerResponse, registry: Registry): void {
  metricsExposition(registry).then(
    ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body),
    () => send(response, 500, { status: 'metrics could not be collected' }),
  );
}
