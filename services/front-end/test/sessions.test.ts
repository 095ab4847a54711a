import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { RpcTimeoutError } from '@gatehouse/messaging';
import { assetUrl } from '../src/pages/assets.js';
import { Browser, csrfToken, makeApp, USER_AGENT, useFreshApp } from './helpers.js';
import type { FakeRpc } from './fake-rpc.js';

const EMAIL = 'ada@example.com';
const PASSWORD = 'analytical engine 1843';
const BUSY = 'The service is busy. Please try again in a moment.';
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

let app: FastifyInstance;
let rpc: FakeRpc;
let browser: Browser;

useFreshApp((made) => ({ app, rpc, browser } = made));

const register = (b = browser) => b.submit('/register', { email: EMAIL, password: PASSWORD });
const login = (b = browser) => b.submit('/login', { email: EMAIL, password: PASSWORD });
const sessionCookieLine = (res: { headers: Record<string, unknown> }) =>
  ([res.headers['set-cookie']].flat() as string[]).find((line) => line.startsWith('session='));

describe('the session cookie', () => {
  it('holds 256 random bits, HttpOnly, SameSite=Lax, Path=/, Max-Age 12 h, and no Secure over plain HTTP', async () => {
    const res = await register();
    const line = sessionCookieLine(res)!;
    expect(line).toMatch(/^session=[A-Za-z0-9_-]{43};/);
    expect(line).toContain('HttpOnly');
    expect(line).toContain('SameSite=Lax');
    expect(line).toContain('Path=/');
    expect(line).toContain(`Max-Age=${12 * 3600}`);
    expect(line).not.toContain('Secure');
    expect(line).not.toContain('Domain');
  });

  it('takes its Max-Age from SESSION_ABSOLUTE_HOURS', async () => {
    const { app: short } = await makeApp(undefined, { SESSION_ABSOLUTE_HOURS: '2' });
    expect(sessionCookieLine(await register(new Browser(short)))).toContain('Max-Age=7200');
    await short.close();
  });

  it('is Secure and __Host- prefixed, with a __Host- CSRF cookie, when COOKIE_SECURE is set (TLS proxy)', async () => {
    const { app: secure } = await makeApp(undefined, { COOKIE_SECURE: 'true' });
    const b = new Browser(secure);
    const form = await b.get('/register');
    expect(String(form.headers['set-cookie'])).toMatch(/^__Host-csrf=[^;]+;.*Secure/);
    const res = await b.post('/register', { _csrf: csrfToken(form.body), email: EMAIL, password: PASSWORD });
    expect(res.statusCode).toBe(303);
    const line = ([res.headers['set-cookie']].flat() as string[]).find((l) => l.startsWith('__Host-session='))!;
    expect(line).toMatch(/; Secure/);
    expect(line).toContain('Path=/');
    expect((await b.get('/secret')).statusCode).toBe(200);
    await secure.close();
  });

  it('only its SHA-256 reaches the Back End', async () => {
    await register();
    const id = browser.cookies.get('session')!;
    const sent = JSON.stringify(rpc.requests);
    expect(sent).not.toContain(id);
    expect(rpc.sessions.has(sha256(id))).toBe(true);
  });
});

describe('looking sessions up', () => {
  it('asks SESSION_GET on pages, not on health checks or the stylesheet', async () => {
    await register();
    rpc.requests.length = 0;
    await browser.get('/healthz');
    await browser.get('/readyz');
    await browser.get(assetUrl('style.css'));
    expect(rpc.requests).toEqual([]);
    await browser.get('/');
    expect(rpc.requests).toEqual([{ action: 'SESSION_GET', data: { tokenHash: sha256(browser.cookies.get('session')!) } }]);
  });

  it('drops a garbage cookie without asking the Back End', async () => {
    browser.cookies.set('session', 'garbage; or "forged"');
    const res = await browser.get('/secret');
    expect(res.statusCode).toBe(303);
    expect(rpc.requests).toEqual([]);
  });

  it('clears a cookie the Back End no longer knows', async () => {
    browser.cookies.set('session', 'A'.repeat(43));
    const res = await browser.get('/');
    expect(res.body).toContain('You are not logged in');
    expect(String(res.headers['set-cookie'])).toMatch(/^session=;.*Expires=Thu, 01 Jan 1970/);
  });

  it('ends a session idle for more than 30 minutes (the Back End decides)', async () => {
    await register();
    rpc.now += 31 * 60_000;
    expect((await browser.get('/secret')).statusCode).toBe(303);
  });

  it('answers 503 when the Back End cannot say who is logged in, instead of logging them out', async () => {
    await register();
    rpc.failWith = new RpcTimeoutError('SESSION_GET', 5000);
    for (const url of ['/', '/secret', '/logout']) {
      const res = await browser.get(url);
      expect(res.statusCode).toBe(503);
      expect(res.body).toContain(BUSY);
    }
    expect(browser.cookies.has('session')).toBe(true);
  });

  it('still shows the login and register forms while the Back End is busy', async () => {
    await register();
    rpc.failWith = new RpcTimeoutError('SESSION_GET', 5000);
    for (const url of ['/login', '/register']) {
      const res = await browser.get(url);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('name="_csrf"');
    }
  });
});

describe('a new id at login', () => {
  it('replaces the id the browser came with, and ends that old session', async () => {
    await register();
    const before = browser.cookies.get('session')!;
    rpc.requests.length = 0;
    expect((await login()).statusCode).toBe(303);
    const after = browser.cookies.get('session')!;
    expect(after).not.toBe(before);
    expect(rpc.sessions.get(sha256(before))?.revoked).toBe(true);
    expect(rpc.requests.at(-1)).toEqual({ action: 'SESSION_REVOKE', data: { tokenHash: sha256(before), client: { ip: '127.0.0.1', userAgent: USER_AGENT } } });
    expect((await browser.get('/secret')).statusCode).toBe(200);
  });

  it('never adopts an id planted before login', async () => {
    await register(new Browser(app));
    const planted = 'P'.repeat(43);
    browser.cookies.set('session', planted);
    expect((await login()).statusCode).toBe(303);
    expect(browser.cookies.get('session')).not.toBe(planted);
    expect(rpc.sessions.has(sha256(planted))).toBe(false);
  });

  it('starts a fresh CSRF secret too', async () => {
    await browser.get('/login');
    expect(browser.cookies.has('csrf')).toBe(true);
    await register(new Browser(app));
    const res = await login();
    expect(String(res.headers['set-cookie'])).toMatch(/csrf=;.*Expires=Thu, 01 Jan 1970/);
  });
});

describe('logout', () => {
  it('sends SESSION_REVOKE, clears the cookie, and the old cookie no longer logs anyone in', async () => {
    await register();
    const id = browser.cookies.get('session')!;
    const confirm = await browser.get('/logout');
    expect(confirm.body).toContain('action="/logout"');
    const res = await browser.post('/logout', { _csrf: csrfToken(confirm.body) });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/?logged-out=here');
    expect(String(res.headers['set-cookie'])).toMatch(/^session=;.*Expires=Thu, 01 Jan 1970/);
    expect(rpc.requests.at(-1)).toEqual({ action: 'SESSION_REVOKE', data: { tokenHash: sha256(id), client: { ip: '127.0.0.1', userAgent: USER_AGENT } } });

    const thief = new Browser(app);
    thief.cookies.set('session', id);
    expect((await thief.get('/secret')).statusCode).toBe(303);
    expect((await browser.get('/')).body).toContain('You are not logged in');
  });
});

describe('log out everywhere', () => {
  it('is offered as a CSRF-protected form on /secret and on the logout page', async () => {
    await register();
    for (const url of ['/secret', '/logout']) {
      const body = (await browser.get(url)).body;
      expect(body).toMatch(/<form method="post" action="\/logout-everywhere"[^>]*>\s*<input type="hidden" name="_csrf" value="[^"]+">/);
      expect(body).toContain('Log out everywhere');
    }
  });

  it('ends every session of the user, not the others', async () => {
    await register();
    const laptop = new Browser(app);
    await login(laptop);
    const stranger = new Browser(app);
    await stranger.submit('/register', { email: 'grace@example.com', password: 'cobol compiler 1959' });

    const res = await browser.submit('/logout-everywhere', {}, '/secret');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/?logged-out=everywhere');
    expect(String(res.headers['set-cookie'])).toMatch(/^session=;/);
    expect(rpc.requests.at(-1)).toMatchObject({ action: 'SESSION_REVOKE_ALL', data: { tokenHash: expect.any(String), client: expect.any(Object) } });
    expect((await browser.get('/secret')).statusCode).toBe(303);
    expect((await laptop.get('/secret')).statusCode).toBe(303);
    expect((await stranger.get('/secret')).statusCode).toBe(200);
  });

  it('needs a CSRF token', async () => {
    await register();
    expect((await browser.post('/logout-everywhere', {})).statusCode).toBe(403);
    expect(rpc.actions()).not.toContain('SESSION_REVOKE_ALL');
  });
});
