import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/** Requests whose failure errors.ts has already logged, with its error: no second line. */
const alreadyLogged = new WeakSet<FastifyRequest>();

/** errors.ts calls this when it logs a request's failure. */
export function markLogged(request: FastifyRequest): void {
  alreadyLogged.add(request);
}

/**
 * At most one short line per request, written when it completes (Fastify's default is two,
 * each with serialised request or response objects: a fifth of a page's CPU). Successful
 * page views (GET and HEAD below 400) are at `debug`: they tell an operator nothing at
 * `info` and are most of the traffic. Form posts, refusals and failures stay at `info` or above.
 */
export class ShortRequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const status = reply.statusCode;
    const line = { method: request.method, url: request.url, status, ms: Math.round(reply.elapsedTime * 10) / 10 };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else if (alreadyLogged.has(request)) return;
    else if (status < 400 && (request.method === 'GET' || request.method === 'HEAD')) reply.log.debug(line, 'request');
    else reply.log.info(line, 'request');
  }
}
