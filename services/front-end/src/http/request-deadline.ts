import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** When this request's caller stops waiting for us (performance.now() clock). */
    deadlineAt: number;
  }
}

/**
 * Every request gets one deadline at arrival, RPC_TIMEOUT_MS away, which all its steps share:
 * each RPC waits only for the time left (and the Back End is told so), and a queued hash is
 * refused once it has passed. Without it, a login's look-up, hash and audit each had the whole
 * timeout, so under a burst one request could answer long after its caller had given up.
 */
export function registerRequestDeadline(app: FastifyInstance, budgetMs: number): void {
  app.decorateRequest('deadlineAt', 0);
  app.addHook('onRequest', (request, _reply, done) => {
    request.deadlineAt = performance.now() + budgetMs;
    done();
  });
}

/** Milliseconds left before the request's deadline (0 or less: passed). */
export function remainingMs(request: FastifyRequest): number {
  return request.deadlineAt - performance.now();
}
