import type { FastifyInstance } from 'fastify';
import { metricsExposition } from '@gatehouse/runtime';
import { isAdmin, refuseAdmin } from '../admin-auth.js';
import type { FrontEndMetrics } from '../metrics.js';

/**
 * GET /metrics for Prometheus, behind the admin token (`Authorization: Bearer`): the public
 * port must not tell strangers its traffic. Without ADMIN_TOKEN there is no such page (404).
 */
export function registerMetricsRoute(app: FastifyInstance, metrics: FrontEndMetrics, adminToken: string | undefined): void {
  if (adminToken === undefined) return;
  app.get('/metrics', { logLevel: 'warn' }, async (request, reply) => {
    if (!isAdmin(request, adminToken)) return refuseAdmin(reply);
    const { contentType, body } = await metricsExposition(metrics.registry);
    return reply.type(contentType).send(body);
  });
}
