import { readFileSync } from 'node:fs';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import type { RpcClient } from '@gatehouse/messaging';
import { ADMIN_COOKIE_MAX_AGE_S, adminCookieValue, isAdmin, refuseAdmin, tokenMatches } from '../admin-auth.js';
import type { FrontEndConfig } from '../config.js';
import type { FrontEndMetrics } from '../metrics.js';
import { render, renderForm } from '../pages/render.js';
import { GoneReplicas } from '../status/gone-replicas.js';
import { pictureOf } from '../status/picture.js';
import { PrimaryChanges } from '../status/primary-changes.js';
import { buildStatusReport, type StatusReport } from '../status/report.js';
import { RecentTraffic } from '../status/traffic.js';

const script = readFileSync(new URL('../../public/status.js', import.meta.url));

/** The page's script polls this often; without JavaScript the page reloads at REFRESH_SECONDS. */
const POLL_SECONDS = 5;
const REFRESH_SECONDS = 15;
/** Several open pages share one report this long, so watching the page cannot load the Back End. */
const REPORT_CACHE_MS = 2000;
/** Token guesses per client IP per minute on the form. */
const FORM_ATTEMPTS_PER_MINUTE = 10;
/** Requests left out of the traffic counts: probes, scrapes and this page's own polling. */
const OPERATOR_ROUTES = /^\/(status|metrics|healthz|readyz)/;

export interface StatusDeps {
  config: FrontEndConfig;
  rpc: RpcClient;
  metrics: FrontEndMetrics;
  /** The session cookie's attributes (Secure as the other cookies decide); the admin cookie adds SameSite=Strict. */
  cookieAttributes: CookieSerializeOptions;
  /** This Front End's end of its broker connection, to mark "this one" among the broker's clients. */
  brokerAddress?: (() => string | undefined) | undefined;
}

/**
 * /status (the page), /status/live (the page's live part, which its script polls and swaps in),
 * /status.json (what `npm run status` reads) and the token form. All need ADMIN_TOKEN, as a
 * Bearer token or the cookie the form sets; without ADMIN_TOKEN none of them exists (404).
 */
export function registerStatusRoutes(app: FastifyInstance, { config, rpc, metrics, cookieAttributes, brokerAddress }: StatusDeps): void {
  const token = config.adminToken;
  if (token === undefined) return;
  const traffic = new RecentTraffic();
  const primaryChanges = new PrimaryChanges();
  const goneReplicas = new GoneReplicas();
  app.addHook('onResponse', (request, reply, done) => {
    if (!OPERATOR_ROUTES.test(request.routeOptions.url ?? '')) traffic.record(reply.statusCode);
    done();
  });
  const cookieName = `${cookieAttributes.secure ? '__Host-' : ''}admin`;
  const admin = (request: Parameters<typeof isAdmin>[0]) => isAdmin(request, token, cookieName);
  const report = cached(REPORT_CACHE_MS, () =>
    buildStatusReport({
      rpc,
      transport: config.amqpUrls.length > 0 ? 'amqp' : 'in-process',
      requestQueue: config.requestQueue,
      management: config.brokerManagement,
      traffic,
      primaryChanges,
      goneReplicas,
      rpcInFlight: metrics.rpcInFlight,
      ...(brokerAddress ? { brokerAddress } : {}),
      timeoutMs: Math.min(config.rpcTimeoutMs, 3000),
    }),
  );
  const loginPage = { title: 'Status' };
  // Drawn once per report: the open pages share the cached report, so they share its picture too.
  const pictures = new WeakMap<StatusReport, ReturnType<typeof pictureOf>>();
  const pageData = async () => {
    const current = await report();
    let picture = pictures.get(current);
    if (!picture) pictures.set(current, (picture = pictureOf(current)));
    return { title: 'Status', report: current, picture, pollSeconds: POLL_SECONDS, refreshSeconds: REFRESH_SECONDS };
  };

  app.get('/status', async (request, reply) => {
    if (!admin(request)) return renderForm(reply, 'status-login', loginPage, 401);
    return render(reply, 'status', await pageData());
  });

  // The page's live part alone: the script swaps it in, so the page updates without a reload's flicker.
  app.get('/status/live', { logLevel: 'warn' }, async (request, reply) =>
    admin(request) ? render(reply.header('cache-control', 'no-store'), '_status_live', await pageData()) : refuseAdmin(reply),
  );

  app.post(
    '/status',
    { onRequest: app.rateLimit({ max: FORM_ATTEMPTS_PER_MINUTE, timeWindow: 60_000 }), preHandler: app.csrfProtection },
    async (request, reply) => {
      const given = (request.body as Record<string, unknown> | undefined)?.token;
      if (typeof given !== 'string' || !tokenMatches(given, token)) {
        request.log.warn('status: a wrong admin token was entered');
        return renderForm(reply, 'status-login', { ...loginPage, formError: 'That is not the admin token.' }, 401);
      }
      reply.setCookie(cookieName, adminCookieValue(token, Date.now()), { ...cookieAttributes, sameSite: 'strict', maxAge: ADMIN_COOKIE_MAX_AGE_S });
      return reply.redirect('/status', 303);
    },
  );

  app.get('/status.json', { logLevel: 'warn' }, async (request, reply) => (admin(request) ? reply.send(await report()) : refuseAdmin(reply)));

  app.get('/status.js', { logLevel: 'warn' }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(script),
  );
}

/** `make`'s result, reused for `ms`; one call at a time. */
function cached(ms: number, make: () => Promise<StatusReport>): () => Promise<StatusReport> {
  let last: { at: number; report: Promise<StatusReport> } | undefined;
  return () => {
    if (!last || Date.now() - last.at > ms) {
      const report = make();
      last = { at: Date.now(), report };
      report.catch(() => (last = undefined));
    }
    return last.report;
  };
}
