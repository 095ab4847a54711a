import type { FastifyInstance } from 'fastify';
import type { RpcClient } from '@gatehouse/messaging';

/** Apps that are shutting down: their /readyz fails while they still serve everything else. */
const draining = new WeakSet<FastifyInstance>();

/** Liveness says the process answers; readiness says it can reach Messaging and is not shutting down. */
export function registerHealthRoutes(app: FastifyInstance, rpc: RpcClient): void {
  app.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'ok' }));

  app.get('/readyz', { logLevel: 'warn' }, async (_request, reply) => {
    if (draining.has(app)) return reply.code(503).send({ status: 'not ready', reason: 'shutting down' });
    if (rpc.isReady()) return { status: 'ready' };
    return reply.code(503).send({ status: 'not ready' });
  });
}

/** From now on /readyz answers 503, so load balancers stop sending before the app closes. */
export function stopBeingReady(app: FastifyInstance): void {
  draining.add(app);
}
