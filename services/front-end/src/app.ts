import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import csrfProtection from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import secureSession from '@fastify/secure-session';
import view from '@fastify/view';
import { Eta } from 'eta';
import type { Logger } from 'pino';
import type { RpcClient } from '@gatehouse/messaging';
import type { FrontEndConfig } from './config.js';
import { registerErrorPages } from './errors.js';
import { makeDummyHash } from './password.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerPageRoutes } from './routes/pages.js';
import { deriveSessionKey } from './session.js';

export interface BuildAppOptions {
  rpc: RpcClient;
  config: FrontEndConfig;
  logger: Logger | FastifyBaseLogger;
}

const VIEWS_DIR = fileURLToPath(new URL('../views', import.meta.url));
/** Our forms hold an email, a password and a token; anything bigger is not ours. */
const BODY_LIMIT = 16 * 1024;

/** Builds the Front End web app; the caller owns listen() and close(). */
export async function buildApp({ rpc, config, logger }: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    trustProxy: config.trustProxy,
    bodyLimit: BODY_LIMIT,
  });
  const dummyHash = await makeDummyHash();

  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CSP },
    frameguard: { action: 'deny' },
  });
  await app.register(formbody);
  await app.register(secureSession, {
    key: deriveSessionKey(config.sessionSecret),
    cookieName: 'session',
    // 'auto' marks the cookie Secure when the request came over TLS (or X-Forwarded-Proto
    // says so and TRUST_PROXY is on), so plain-HTTP development still works.
    cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure: 'auto' },
  });
  await app.register(csrfProtection, { sessionPlugin: '@fastify/secure-session' });
  await app.register(view, { engine: { eta: new Eta() }, root: VIEWS_DIR });

  // Pages show session data and one-time tokens; browsers must not keep them.
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  registerErrorPages(app);
  registerHealthRoutes(app, rpc);
  registerPageRoutes(app);
  registerAuthRoutes(app, { rpc, dummyHash });
  return app;
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
