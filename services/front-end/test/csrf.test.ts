import { describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Browser, csrfToken, useFreshApp } from './helpers.js';
import type { FakeRpc } from './fake-rpc.js';

const EMAIL = 'ada@example.com';
const PASSWORD = 'analytical engine 1843';
const EXPIRED = 'This form has expired or was not sent by this site. Go back, reload the page and try again.';

let app: FastifyInstance;
let rpc: FakeRpc;
let browser: Browser;

useFreshApp((made) => ({ app, rpc, browser } = made));

describe('CSRF', () => {
  it.each(['/register', '/login', '/logout', '/logout-everywhere'])('refuses a POST to %s without a token: 403, a clear page, no RPC', async (url) => {
    await browser.get('/register');
    const res = await browser.post(url, { email: EMAIL, password: PASSWORD });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain(EXPIRED);
    expect(rpc.requests).toEqual([]);
  });

  it('refuses a token without its cookie (another site cannot read or set it)', async () => {
    const page = await browser.get('/login');
    const res = await new Browser(app).post('/login', { _csrf: csrfToken(page.body), email: EMAIL, password: PASSWORD });
    expect(res.statusCode).toBe(403);
  });

  it('refuses a forged token, and a tampered (unsigned) cookie', async () => {
    await browser.submit('/register', { email: EMAIL, password: PASSWORD });
    expect((await browser.post('/logout', { _csrf: 'forged-token' })).statusCode).toBe(403);
    const page = await browser.get('/logout');
    const signed = browser.cookies.get('csrf')!;
    browser.cookies.set('csrf', signed.split('.')[0]!);
    expect((await browser.post('/logout', { _csrf: csrfToken(page.body) })).statusCode).toBe(403);
    expect((await new Browser(app).get('/secret')).statusCode).toBe(303);
  });

  it('keeps its secret in a signed, HttpOnly, SameSite=Lax cookie', async () => {
    const res = await browser.get('/login');
    const line = String(res.headers['set-cookie']);
    expect(line).toMatch(/^csrf=[^;]+\.[^;]+;/);
    expect(line).toContain('HttpOnly');
    expect(line).toContain('SameSite=Lax');
    expect(line).toContain('Path=/');
  });

  it('puts a hidden _csrf input in every form', async () => {
    await browser.submit('/register', { email: EMAIL, password: PASSWORD });
    for (const url of ['/register', '/login', '/logout', '/secret']) {
      const body = (await browser.get(url)).body;
      expect(body.match(/<form /g)?.length).toBe(body.match(/<input type="hidden" name="_csrf" value="[^"]+">/g)?.length);
    }
  });
});
