import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import secureSession from '@fastify/secure-session';
import { deriveSessionCookieKey, type CookieSettings } from '../http/cookies.js';
import type { SessionStore } from './session-store.js';

export interface CookieSessionSettings {
  cookies: CookieSettings;
  absoluteHours: number;
  idleMinutes: number;
  /** The clock sessions are timed by (ms); tests move it. */
  now?: () => number;
}

/** What the cookie holds; times in ms since the epoch. */
interface SessionFields {
  email: string;
  createdAt: number;
  seenAt: number;
}

/** request.session with our fields (the library types its keys by an interface it does not export). */
type CookieSession = Omit<FastifyRequest['session'], 'get' | 'set'> & {
  get(key: keyof SessionFields): unknown;
  set<K extends keyof SessionFields>(key: K, value: SessionFields[K]): void;
};
const sessionOf = (request: FastifyRequest) => request.session as unknown as CookieSession;

/** Activity is recorded at most this often: a fresh cookie on every request would be waste. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * Sessions in the cookie itself (SESSION_STORE=cookie), for a Back End that knows only
 * REGISTER and GETHASH. The cookie holds the email and when the session began and was last
 * used, encrypted and authenticated (@fastify/secure-session: libsodium's secretbox) with a
 * key derived from SESSION_SECRET. The idle and absolute limits are checked here, against
 * those times. What it cannot do (docs/security.md): end a session before it expires
 * anywhere but in the browser that logs out, log out everywhere, lock accounts, audit.
 */
export class CookieSessionStore implements SessionStore {
  readonly canLogOutEverywhere = false;
  readonly #now: () => number;
  readonly #idleMs: number;
  readonly #absoluteMs: number;

  constructor(private readonly settings: CookieSessionSettings) {
    this.#now = settings.now ?? Date.now;
    this.#idleMs = settings.idleMinutes * 60_000;
    this.#absoluteMs = settings.absoluteHours * 3_600_000;
  }

  /** Registers the cookie codec; after @fastify/cookie (cookies.ts), so it reuses that plugin. */
  async register(app: FastifyInstance, sessionSecret: string): Promise<void> {
    await app.register(secureSession, {
      key: deriveSessionCookieKey(sessionSecret),
      cookieName: this.settings.cookies.session,
      cookie: this.settings.cookies.attributes,
      // The library's own limit, counted from the last write: a backstop behind ours.
      expiry: this.settings.absoluteHours * 3600,
    });
  }

  readonly loadUser = async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const session = sessionOf(request);
    const email: unknown = session.get('email');
    const createdAt: unknown = session.get('createdAt');
    const seenAt: unknown = session.get('seenAt');
    if (typeof email !== 'string' || typeof createdAt !== 'number' || typeof seenAt !== 'number') {
      // Tampered with, made with another key, or expired by the library: stop sending it.
      if (request.cookies[this.settings.cookies.session] !== undefined) session.delete();
      return;
    }
    const now = this.#now();
    if (now - createdAt >= this.#absoluteMs || now - seenAt >= this.#idleMs) {
      session.delete();
      return;
    }
    request.user = email;
    if (now - seenAt >= TOUCH_INTERVAL_MS) this.#write(request, { email, createdAt, seenAt: now });
  };

  /** Nothing remote to fail: the same as loadUser. */
  readonly loadUserOrAnonymous = this.loadUser;

  async start(request: FastifyRequest, reply: FastifyReply, email: string): Promise<void> {
    const now = this.#now();
    // All new content under a new nonce: nothing of the session the browser had survives.
    request.session.regenerate();
    this.#write(request, { email, createdAt: now, seenAt: now });
    // A new CSRF secret too, so a token seen before login is worthless after it.
    reply.clearCookie(this.settings.cookies.csrf, this.settings.cookies.attributes);
    request.user = email;
  }

  async end(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    request.session.delete();
    request.user = null;
  }

  async endEverywhere(): Promise<number> {
    throw new Error('A cookie session store cannot log out everywhere (canLogOutEverywhere is false)');
  }

  #write(request: FastifyRequest, data: SessionFields): void {
    const session = sessionOf(request);
    session.set('email', data.email);
    session.set('createdAt', data.createdAt);
    session.set('seenAt', data.seenAt);
    // The browser drops it at the absolute limit too.
    const maxAge = Math.max(1, Math.ceil((data.createdAt + this.#absoluteMs - this.#now()) / 1000));
    session.options({ ...this.settings.cookies.attributes, maxAge });
  }
}
