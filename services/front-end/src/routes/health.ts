import type { FastifyInstance } from 'fastify';
import type { RpcClient } from '@gatehouse/messaging';

/** Liveness says the process answers; readiness says it can reach Messaging. */
export function registerHealthRoutes(app: FastifyInstance, rpc: RpcClient): void {
  app.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'ok' }));

  app.get('/readyz', { logLevel: 'warn' }, async (_request, reply) => {
    if (rpc.isReady()) return { status: 'ready' };
    return reply.code(503).send({ status: 'not ready' });
  });
}
