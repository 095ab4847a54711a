import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RpcError, RpcTimeoutError } from '@gatehouse/messaging';
import { HashingBusyError } from '../passwords/hash-limiter.js';
import { render, renderToString } from './render.js';
import { markLogged } from '../http/request-log.js';

/** The 429 page, for a client IP over the budget all Front Ends share (the forms and the Account page). */
export const tooManyAttempts = () => Object.assign(new Error('Too many attempts from this IP'), { statusCode: 429 });

/**
 * The 501 page of a feature this deployment cannot offer: the account flows need the Back End's
 * session store, and a site with SESSION_STORE=cookie says so plainly instead of failing.
 */
export function needsSessionStore(reply: FastifyReply, feature: string, back: { href: string; text: string }) {
  const message = `${feature} needs the Back End to keep sessions (SESSION_STORE=back-end); this site keeps them in cookies.`;
  return render(reply, 'message', { title: 'Not available here', message, links: [back] }, 501);
}

/** Shown when Messaging or the Back End cannot answer in time. */
export const BUSY_MESSAGE = 'The service is busy. Please try again in a moment.';

const CLIENT_MESSAGES: Record<number, string> = {
  400: 'The request could not be understood.',
  // Our only 403 is a form whose CSRF token is missing, stale or forged.
  403: 'This form has expired or was not sent by this site. Go back, reload the page and try again.',
  404: 'There is no page at this address.',
  405: 'This address does not accept that kind of request.',
  413: 'The form you sent was too large.',
  415: 'This address only accepts ordinary web forms.',
  429: 'Too many attempts from your network. Wait a minute, then try again.',
};

const TITLES: Record<number, string> = {
  403: 'Form expired',
  404: 'Page not found',
  429: 'Too many attempts',
  503: 'Service busy',
};

interface ErrorPage {
  status: number;
  title: string;
  message: string;
}

/** One place decides what users see when something fails; stacks never reach them. */
export function registerErrorPages(app: FastifyInstance): void {
  app.setErrorHandler(async (err: FastifyError, request, reply) => {
    const page = describe(err);
    logFailure(request, err, page.status, reply.elapsedTime);
    if (page.status === 503) reply.header('retry-after', String(retryAfterSeconds(err)));
    return sendErrorPage(reply, page);
  });

  app.setNotFoundHandler(async (_request, reply) =>
    sendErrorPage(reply, { status: 404, title: TITLES[404]!, message: CLIENT_MESSAGES[404]! }),
  );
}

/** A shed hash knows when the queue ahead of it will have drained; other 503s guess a few seconds. */
function retryAfterSeconds(err: FastifyError): number {
  return err instanceof HashingBusyError ? err.retryAfterSeconds : 5;
}

function describe(err: FastifyError): ErrorPage {
  if (err instanceof RpcError || err instanceof HashingBusyError) return { status: 503, title: TITLES[503]!, message: BUSY_MESSAGE };
  const code = err.statusCode;
  if (code !== undefined && code >= 400 && code < 500) {
    return {
      status: code,
      title: TITLES[code] ?? 'Request refused',
      message: CLIENT_MESSAGES[code] ?? 'The request could not be processed.',
    };
  }
  const status = code !== undefined && code >= 500 && code < 600 ? code : 500;
  return { status, title: 'Something went wrong', message: 'Something went wrong on our side. Please try again later.' };
}

function logFailure(request: FastifyRequest, err: FastifyError, status: number, elapsedMs: number): void {
  markLogged(request);
  // The time it took, as on every request's line (request-log.ts): a shed answers at once, a queued hash or a timeout later.
  const line = { method: request.method, url: request.url, status, ms: Math.round(elapsedMs * 10) / 10 };
  if (err instanceof RpcTimeoutError) request.log.warn({ ...line, err }, 'back end did not answer in time');
  else if (err instanceof HashingBusyError) request.log.warn(line, 'hashing would wait too long; request shed');
  else if (status >= 500) request.log.error({ ...line, err }, 'request failed');
  else request.log.info({ ...line, code: err.code }, 'request refused');
}

async function sendErrorPage(reply: FastifyReply, page: ErrorPage): Promise<FastifyReply> {
  reply.code(page.status);
  try {
    const html = await renderToString(reply, 'error', { ...page });
    return reply.type('text/html; charset=utf-8').send(html);
  } catch (err) {
    // A broken template must not turn into Fastify's default page with the error text.
    reply.request.log.error({ err }, 'error page could not be rendered');
    return reply.type('text/plain; charset=utf-8').send(`${page.title}\n\n${page.message}\n`);
  }
}
