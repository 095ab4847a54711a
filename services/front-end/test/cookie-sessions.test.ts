import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CookieSessionStore } from '../src/sessions/cookie-sessions.js';
import { cookieSettings, registerCookies } from '../src/http/cookies.js';
import { Browser } from './helpers.js';

const SECRET = 'cookie-store-test-secret-0123456789abcdef';
const IDLE_MINUTES = 30;
const ABSOLUTE_HOURS = 12;
const MINUTE = 60_000;
const cookies = cookieSettings(false);

/** A bare app with the cookie store: GET /login starts a session, /logout ends it, /me says who is logged in. */
async function appWith(now: () => number, secret = SECRET): Promise<FastifyInstance> {
  const app = Fastify();
  await registerCookies(app, cookies, secret);
  app.decorateRequest('user', null);
  const store = new CookieSessionStore({ cookies, idleMinutes: IDLE_MINUTES, absoluteHours: ABSOLUTE_HOURS, now });
  await store.register(app, secret);
  app.get('/login', async (request, reply) => (await store.start(request, reply, 'ann@example.com'), 'ok'));
  app.get('/logout', async (request, reply) => (await store.end(request, reply), 'ok'));
  app.get('/me', { preHandler: store.loadUser }, async (request) => request.user ?? 'nobody');
  return app;
}

describe('the cookie session store', () => {
  let clock: number;
  let app: FastifyInstance;
  let browser: Browser;
  beforeEach(async () => {
    clock = Date.parse('2030-01-01T00:00:00Z');
    app = await appWith(() => clock);
    browser = new Browser(app);
    await browser.get('/login');
  });
  afterEach(() => app.close());
  const who = async () => (await browser.get('/me')).body;

  it('keeps the session in an encrypted cookie: the email is not readable in it', async () => {
    expect(await who()).toBe('ann@example.com');
    const value = browser.cookies.get(cookies.session)!;
    expect(value).toBeDefined();
    expect(value).not.toContain('ann');
    expect(Buffer.from(value.split(';')[0]!, 'base64').toString('latin1')).not.toContain('ann@example.com');
  });

  it('ends after the idle timeout, and activity keeps it alive until then', async () => {
    for (let i = 0; i < 4; i++) {
      clock += IDLE_MINUTES * MINUTE - MINUTE;
      expect(await who()).toBe('ann@example.com');
    }
    clock += IDLE_MINUTES * MINUTE;
    const expired = await browser.get('/me');
    expect(expired.body).toBe('nobody');
    expect(browser.cookies.has(cookies.session)).toBe(false); // the browser was told to drop it
  });

  it('ends at the absolute timeout, however active the user is', async () => {
    const end = clock + ABSOLUTE_HOURS * 60 * MINUTE;
    while (clock + 10 * MINUTE < end) {
      clock += 10 * MINUTE;
      expect(await who()).toBe('ann@example.com');
    }
    clock = end;
    expect(await who()).toBe('nobody');
  });

  it('ends at logout', async () => {
    await browser.get('/logout');
    expect(browser.cookies.has(cookies.session)).toBe(false);
    expect(await who()).toBe('nobody');
  });

  it('refuses a tampered cookie and tells the browser to drop it', async () => {
    const value = browser.cookies.get(cookies.session)!;
    const flipped = value[10] === 'A' ? 'B' : 'A';
    browser.cookies.set(cookies.session, value.slice(0, 10) + flipped + value.slice(11));
    const res = await browser.get('/me');
    expect(res.body).toBe('nobody');
    expect(res.cookies.find((c) => c.name === cookies.session)?.value).toBe('');
  });

  it('refuses garbage and a cookie made with another secret', async () => {
    const other = await appWith(() => clock, 'another-secret-another-secret-0123456789');
    try {
      const elsewhere = new Browser(other);
      await elsewhere.get('/login');
      browser.cookies.set(cookies.session, elsewhere.cookies.get(cookies.session)!);
      expect(await who()).toBe('nobody');
      for (const garbage of ['x', 'a;b', '%%%', 'AAAA;AAAA']) {
        browser.cookies.set(cookies.session, garbage);
        expect(await who()).toBe('nobody');
      }
    } finally {
      await other.close();
    }
  });
});
