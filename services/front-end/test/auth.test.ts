import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Browser, csrfToken, makeApp } from './helpers.js';
import type { FakeRpc } from './fake-rpc.js';

const EMAIL = 'ada@example.com';
const PASSWORD = 'analytical engine 1843';

let app: FastifyInstance;
let rpc: FakeRpc;
let browser: Browser;

beforeEach(async () => {
  ({ app, rpc } = await makeApp());
  browser = new Browser(app);
});
afterEach(() => app.close());

async function register(b = browser, email = EMAIL, password = PASSWORD) {
  return b.submit('/register', { email, password });
}

describe('register', () => {
  it('logs the new user in with an HttpOnly, SameSite=Lax session cookie and a 303', async () => {
    const res = await register();
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/');
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^session=/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).not.toContain('Secure'); // plain HTTP here; see the TLS test below

    const home = await browser.get('/');
    expect(home.body).toContain(`Logged in as <strong>${EMAIL}</strong>`);
  });

  it('sends REGISTER with a normalised email and an argon2id hash', async () => {
    await register(browser, '  Ada@Example.COM ');
    expect(rpc.requests).toEqual([
      { action: 'REGISTER', data: { email: EMAIL, hash: expect.stringMatching(/^\$argon2id\$/) } },
    ]);
  });

  it('marks the cookie Secure when the request arrived over TLS', async () => {
    const { app: proxied } = await makeApp(undefined, { TRUST_PROXY: 'true' });
    const page = await proxied.inject({ url: '/register', headers: { 'x-forwarded-proto': 'https' } });
    expect(String(page.headers['set-cookie'])).toContain('Secure');
    await proxied.close();
  });

  it('refuses a duplicate with "user already exists" and 409', async () => {
    await register();
    const again = await register(new Browser(app));
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('user already exists');
    expect(again.headers['set-cookie'] ?? '').not.toMatch(/session=[^;]/);
  });
});

describe('form validation', () => {
  const cases: Array<[string, Record<string, string>, string]> = [
    ['missing fields', {}, 'email is required'],
    ['missing password', { email: EMAIL }, 'password is required'],
    ['a bad email', { email: 'not-an-email', password: PASSWORD }, 'email is not a valid address'],
    ['a short password', { email: EMAIL, password: 'short' }, 'password must be at least 8 characters'],
    ['a 129-character password', { email: EMAIL, password: 'p'.repeat(129) }, 'password must be at most 128 characters'],
  ];

  it.each(cases)('register with %s → 400 with the field message, no RPC', async (_name, form, message) => {
    const res = await browser.submit('/register', form);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(`<span class="error" id="${message.split(' ')[0]}-error">${message}</span>`);
    expect(rpc.requests).toEqual([]);
  });

  it('keeps the typed email but never echoes the password', async () => {
    const res = await browser.submit('/register', { email: EMAIL, password: 'short' });
    expect(res.body).toContain(`value="${EMAIL}"`);
    expect(res.body).not.toContain('value="short"');
  });

  it('escapes what it echoes back', async () => {
    const res = await browser.submit('/register', { email: '"><script>x</script>', password: PASSWORD });
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toContain('<script>');
    expect(res.body).toContain('&quot;&gt;&lt;script&gt;');
  });

  it('accepts exactly 128 characters', async () => {
    const res = await register(browser, EMAIL, 'p'.repeat(128));
    expect(res.statusCode).toBe(303);
  });

  it('login refuses a 129-character password before any RPC', async () => {
    const res = await browser.submit('/login', { email: EMAIL, password: 'p'.repeat(129) });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('password must be at most 128 characters');
    expect(rpc.requests).toEqual([]);
  });
});

describe('login', () => {
  beforeEach(async () => {
    await register(new Browser(app));
  });

  it('logs in with the right password: 303 and a fresh session', async () => {
    const res = await browser.submit('/login', { email: EMAIL, password: PASSWORD });
    expect(res.statusCode).toBe(303);
    expect(String(res.headers['set-cookie'])).toMatch(/^session=.+HttpOnly/);
    expect((await browser.get('/secret')).body).toContain(EMAIL);
    expect(rpc.requests.at(-1)).toEqual({ action: 'GETHASH', data: { email: EMAIL } });
  });

  it('gives the same answer for a wrong password and an unknown email', async () => {
    const wrong = await browser.submit('/login', { email: EMAIL, password: 'not the password' });
    const unknown = await browser.submit('/login', { email: 'nobody@example.com', password: PASSWORD });
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(401);
      expect(res.body).toContain('invalid email or password');
    }
    const message = (html: string) => /<p class="error" role="alert">([^<]*)<\/p>/.exec(html)?.[1];
    expect(message(wrong.body)).toBe(message(unknown.body));
    expect((await browser.get('/secret')).statusCode).toBe(303);
  });

  it('never sends the clear-text password to Messaging', async () => {
    await browser.submit('/login', { email: EMAIL, password: PASSWORD });
    await browser.submit('/login', { email: EMAIL, password: 'a wrong one' });
    const sent = JSON.stringify(rpc.requests);
    expect(rpc.requests.length).toBeGreaterThanOrEqual(3);
    expect(sent).not.toContain(PASSWORD);
    expect(sent).not.toContain('a wrong one');
  });
});

describe('secret and logout', () => {
  it('redirects to /login when logged out', async () => {
    const res = await browser.get('/secret');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login');
  });

  it('shows the secret page when logged in', async () => {
    await register();
    const res = await browser.get('/secret');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('The secret page');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('ignores a tampered session cookie', async () => {
    await register();
    const cookie = browser.cookies.get('session')!;
    browser.cookies.set('session', `A${cookie.slice(1)}`);
    expect((await browser.get('/secret')).statusCode).toBe(303);
  });

  it('logs out with a POST carrying the CSRF token from the confirm page', async () => {
    await register();
    const confirm = await browser.get('/logout');
    expect(confirm.body).toContain('action="/logout"');
    const res = await browser.post('/logout', { _csrf: csrfToken(confirm.body) });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/');
    expect(String(res.headers['set-cookie'])).toMatch(/^session=;.*Expires=Thu, 01 Jan 1970/);
    expect((await browser.get('/secret')).statusCode).toBe(303);
    expect((await browser.get('/')).body).toContain('You are not logged in');
  });
});

describe('CSRF', () => {
  it('refuses a POST without a token with 403 and calls nothing', async () => {
    await browser.get('/register');
    const res = await browser.post('/register', { email: EMAIL, password: PASSWORD });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('security token');
    expect(rpc.requests).toEqual([]);
  });

  it('refuses a POST with a token but no session cookie', async () => {
    const page = await browser.get('/login');
    const res = await new Browser(app).post('/login', { _csrf: csrfToken(page.body), email: EMAIL, password: PASSWORD });
    expect(res.statusCode).toBe(403);
  });

  it('refuses a forged token', async () => {
    await register();
    const res = await browser.post('/logout', { _csrf: 'forged-token' });
    expect(res.statusCode).toBe(403);
    expect((await browser.get('/secret')).statusCode).toBe(200);
  });

  it('puts a hidden _csrf input in every form', async () => {
    await register();
    for (const url of ['/register', '/login', '/logout']) {
      const body = (await browser.get(url)).body;
      expect(body.match(/<form /g)?.length).toBe(body.match(/<input type="hidden" name="_csrf" value="[^"]+">/g)?.length);
    }
  });
});
