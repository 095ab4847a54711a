import Fastify, { type FastifyBaseLogger, type FastifyHttpOptions, type FastifyInstance } from 'fastify';
import type { Server } from 'node:http';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { Logger } from 'pino';
import type { RpcClient } from '@gatehouse/messaging';
import { Registry } from '@gatehouse/runtime';
import { makeClientErrorHandler, refuseConnect } from './http/client-errors.js';
import type { FrontEndConfig } from './config.js';
import { cookieSettings, registerCookies } from './http/cookies.js';
import { registerErrorPages } from './pages/errors.js';
import { Hasher } from './passwords/hasher.js';
import { registerRequestDeadline } from './http/request-deadline.js';
import { createFrontEndMetrics } from './metrics.js';
import { makeDummyHash } from './passwords/password.js';
import { registerAccountRoutes } from './routes/account.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerLogoutRoutes } from './routes/logout.js';
import { registerMetricsRoute } from './routes/metrics.js';
import { registerPageRoutes } from './routes/pages.js';
import { registerPasswordResetRoutes } from './routes/password-reset.js';
import { requestIdGenerator } from './http/request-id.js';
import { registerStatusRoutes } from './routes/status.js';
import { ShortRequestLog } from './http/request-log.js';
import { securityHeaders } from './http/security-headers.js';
import { setUpSessionMode } from './sessions/session-mode.js';
import { registerTotpAccountRoutes } from './second-factors/account-routes.js';
import { registerSecondFactorLoginRoutes } from './second-factors/login-routes.js';
import { fastifyTrustProxy } from './http/trust-proxy.js';
import { registerPasskeyAccountRoutes } from './passkeys/account-routes.js';
import { registerPasskeyLoginRoutes } from './passkeys/login-routes.js';
import { registerEmailChangeRoutes } from './verification/email-change-routes.js';
import { registerVerificationRoutes } from './verification/routes.js';
import { UNIFORM_ANSWER_MS } from './http/uniform-timing.js';

export interface BuildAppOptions {
  rpc: RpcClient;
  config: FrontEndConfig;
  logger: Logger | FastifyBaseLogger;
  /**
   * Where the Front End's metrics go (startFrontEnd gives one with the process metrics; npm start
   * shares one with its in-process Back End). Unset: a bare registry, as in unit tests.
   */
  registry?: Registry;
  /** This Front End's end of its broker connection, for /status's "this one". */
  brokerAddress?: () => string | undefined;
  /** The answer time of the forms that must not tell which addresses exist (unit tests pass 0). */
  uniformAnswerMs?: number;
}

/** Our forms hold an email, a password and a token; anything bigger is not ours. */
const BODY_LIMIT = 16 * 1024;
/** Node's default; set explicitly so a change there cannot loosen it (431 above it). */
const MAX_HEADER_BYTES = 16 * 1024;
/** A whole request, headers and body, must arrive within this: slow-loris senders are cut off. */
const REQUEST_TIMEOUT_MS = 10_000;
/**
 * Idle sockets: a little above Fastify's 72 s keep-alive, so a load balancer reusing a
 * connection never races our close, while a client that stops reading is still dropped.
 */
const KEEP_ALIVE_TIMEOUT_MS = 72_000;
const CONNECTION_TIMEOUT_MS = 75_000;
const ONE_YEAR_S = 365 * 24 * 3600;

/** Builds the Front End web app; the caller owns listen() and close(). */
export async function buildApp({ rpc: unmeasured, config, logger, registry = new Registry(), brokerAddress, uniformAnswerMs = UNIFORM_ANSWER_MS }: BuildAppOptions): Promise<FastifyInstance> {
  const app = createFastify(config, logger as FastifyBaseLogger);
  const metrics = createFrontEndMetrics(registry);
  const rpc = metrics.measureRpc(unmeasured);
  // Timed: the hashing queue's first estimate of one run, until real runs are measured.
  const dummyStarted = performance.now();
  const dummyHash = await makeDummyHash(config.argon2);
  const hashEstimateMs = performance.now() - dummyStarted;
  const cookies = cookieSettings(config.secureCookies);

  const headers = securityHeaders({
    contentSecurityPolicy: { useDefaults: false, directives: CSP },
    frameguard: { action: 'deny' },
    // HSTS only when we serve TLS ourselves; behind a proxy, the proxy owns it.
    strictTransportSecurity: config.tls ? { maxAge: ONE_YEAR_S, includeSubDomains: true } : false,
  });
  // Only routes with a `rateLimit` config (POST /login, POST /register) are limited.
  await app.register(rateLimit, { global: false });
  await app.register(formbody);
  await registerCookies(app, cookies, config.sessionSecret);
  app.decorateRequest('user', null);
  app.decorateRequest('emailUnverified', false);
  const { sessions, accounts, backEnd } = await setUpSessionMode(app, rpc, config, cookies, app.log);

  // One synchronous hook for what every response carries. Pages show session data and
  // one-time tokens: browsers must not keep them (no-store).
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(headers).header('cache-control', 'no-store').header('x-request-id', request.id);
    // RFC 9112: a request with more than one Host is refused, not guessed at.
    if (hostHeaders(request.raw.rawHeaders) > 1) {
      done(Object.assign(new Error('The request has more than one Host header.'), { statusCode: 400 }));
    } else done();
  });

  registerRequestDeadline(app, config.rpcTimeoutMs);
  metrics.observeRoutes(app);
  registerErrorPages(app);
  registerHealthRoutes(app, rpc);
  registerPageRoutes(app, sessions);
  const hasher = new Hasher(config.argon2, config.hashing, metrics.hashing, hashEstimateMs);
  metrics.watchHashing(hasher.load);
  const verification = backEnd?.verification;
  const addressConfirmed = config.emailVerification === 'required' && verification ? verification.isVerified.bind(verification) : undefined;
  const passkeyLogins = backEnd?.passkeyLogins;
  const passkeysOffered = passkeyLogins && { ask: passkeyLogins.offered.bind(passkeyLogins), known: passkeyLogins.offeredAsKnown.bind(passkeyLogins) };
  registerAuthRoutes(app, { accounts, sessions, argon2: config.argon2, dummyHash, hasher, rateLimitPerMinute: config.rateLimitPerMinute, addressConfirmed, passkeysOffered });
  registerPasswordResetRoutes(app, { resets: backEnd?.resets, sessions: backEnd?.sessions, hasher, rateLimitPerMinute: config.rateLimitPerMinute, uniformAnswerMs });
  const account = { settings: backEnd?.settings, totp: backEnd?.totp, accounts, sessions, hasher, dummyHash, rateLimitPerMinute: config.rateLimitPerMinute };
  registerAccountRoutes(app, account);
  registerTotpAccountRoutes(app, account);
  registerSecondFactorLoginRoutes(app, { pending: backEnd?.pendingLogins, rateLimitPerMinute: config.rateLimitPerMinute });
  registerPasskeyAccountRoutes(app, { ...account, passkeys: backEnd?.passkeys });
  registerPasskeyLoginRoutes(app, { logins: passkeyLogins, pending: backEnd?.pendingLogins, rateLimitPerMinute: config.rateLimitPerMinute });
  registerVerificationRoutes(app, { verification, backEndSessions: backEnd?.sessions, sessions, rateLimitPerMinute: config.rateLimitPerMinute, uniformAnswerMs });
  registerEmailChangeRoutes(app, { ...account, verification });
  registerLogoutRoutes(app, sessions);
  registerMetricsRoute(app, metrics, config.adminToken);
  registerStatusRoutes(app, { config, rpc, metrics, cookieAttributes: cookies.attributes, brokerAddress });
  app.server.on('connect', refuseConnect);
  return app;
}

/** Fastify over HTTP, or over HTTPS when the config carries a certificate, with our limits. */
function createFastify(config: FrontEndConfig, logger: FastifyBaseLogger): FastifyInstance {
  const limits = { maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS };
  const server = config.tls ? { https: { ...limits, cert: config.tls.cert, key: config.tls.key } } : { http: limits };
  const options = {
    loggerInstance: logger,
    trustProxy: fastifyTrustProxy(config.trustProxy),
    genReqId: requestIdGenerator(config.trustProxy),
    bodyLimit: BODY_LIMIT,
    requestTimeout: REQUEST_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    clientErrorHandler: makeClientErrorHandler(logger),
    logController: new ShortRequestLog(),
    ...server,
  };
  // Fastify types an HTTPS instance apart; the routes and plugins we use are the same.
  return Fastify(options as FastifyHttpOptions<Server>) as unknown as FastifyInstance;
}

/** How many Host headers a request has; scanning rawHeaders spares building headersDistinct. */
function hostHeaders(raw: readonly string[] | undefined): number {
  let count = 0;
  if (raw) for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'host') count++;
  return count;
}

/** Same-origin only, no inline code: every script, style and form target is ours. */
const CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'"],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'self'"],
  objectSrc: ["'none'"],
};
