import { describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { PASSWORD_RULES } from '../src/passwords/password-policy.js';
import { Browser, csrfToken, useFreshApp } from './helpers.js';
import type { FakeRpc } from './fake-rpc.js';

const EMAIL = 'ada@example.com';
const PASSWORD = 'analytical engine 1843';

let app: FastifyInstance;
let rpc: FakeRpc;
let browser: Browser;

useFreshApp((made) => ({ app, rpc, browser } = made));

const title = (html: string) => /<title>([^<]*)<\/title>/.exec(html)?.[1];
const summaryLinks = (html: string) =>
  [...(/<div class="error-summary"[^>]*>([\s\S]*?)<\/div>/.exec(html)?.[1] ?? '').matchAll(/<a href="([^"]+)">([^<]*)<\/a>/g)].map((m) => [m[1], m[2]]);
const autofocused = (html: string) => [...html.matchAll(/<(\w+)[^>]*\bid="([^"]+)"[^>]*\sautofocus[^>]*>/g)].map((m) => m[2]);

describe('after a failed submit', () => {
  it('titles the page "Error:", lists every error in a summary linked to its field, and focuses the first', async () => {
    const res = await browser.submit('/register', { email: 'not-an-email', password: 'short' });
    expect(res.statusCode).toBe(400);
    expect(title(res.body)).toBe('Error: Create an account · Gatehouse');
    expect(summaryLinks(res.body)).toEqual([
      ['#email', 'Enter an email address in the form name@example.com.'],
      ['#password', 'Password must be at least 8 characters.'],
    ]);
    expect(autofocused(res.body)).toEqual(['email']);
  });

  it('focuses the password when only the password is wrong', async () => {
    const res = await browser.submit('/register', { email: EMAIL, password: 'short' });
    expect(autofocused(res.body)).toEqual(['password']);
  });

  it('puts a wrong login in the summary and focuses the summary itself', async () => {
    const res = await browser.submit('/login', { email: EMAIL, password: 'not the password' });
    expect(res.statusCode).toBe(401);
    expect(title(res.body)).toBe('Error: Log in · Gatehouse');
    expect(summaryLinks(res.body)).toEqual([['#email', 'Invalid email or password.']]);
    expect(res.body).toMatch(/<div class="error-summary"[^>]*\sautofocus/);
  });

  it('leaves titles and focus alone on a page without errors', async () => {
    const res = await browser.get('/login');
    expect(title(res.body)).toBe('Log in · Gatehouse');
    expect(res.body).not.toContain('error-summary');
    expect(autofocused(res.body)).toEqual([]);
  });

  it('writes every message as a sentence: a capital first, a full stop last', async () => {
    const forms: Array<[string, Record<string, string>]> = [
      ['/register', {}],
      ['/register', { email: `${'a'.repeat(243)}@example.com`, password: 'p'.repeat(129) }],
      ['/register', { email: EMAIL, password: 'password1' }],
      ['/register', { email: 'grace.h@example.com', password: 'Grace.H@Example.com' }],
      ['/register', { email: 'grace.h@example.com', password: 'my GRACE.H secret' }],
      ['/login', { email: EMAIL, password: 'wrong password' }],
    ];
    for (const [url, form] of forms) {
      const links = summaryLinks((await new Browser(app).submit(url, form)).body);
      expect(links.length).toBeGreaterThan(0);
      for (const [, text] of links) expect(text, text).toMatch(/^[A-Z].*\.$/);
    }
  });
});

describe('the register page', () => {
  it('shows the password rules from the password policy before any submit', async () => {
    const body = (await browser.get('/register')).body;
    for (const rule of PASSWORD_RULES) expect(body).toContain(`<li data-rule="${rule.id}">${rule.text}</li>`);
    expect(body).toMatch(/<input id="password"[^>]*aria-describedby="password-rules"/);
  });

  it('says an email is taken next to the email field, with "Error:" in the title', async () => {
    await browser.submit('/register', { email: EMAIL, password: PASSWORD });
    const again = await new Browser(app).submit('/register', { email: EMAIL, password: PASSWORD });
    expect(again.statusCode).toBe(409);
    expect(title(again.body)).toBe('Error: Create an account · Gatehouse');
    expect(summaryLinks(again.body)).toEqual([['#email', 'An account with this email address already exists.']]);
  });
});

describe('from /secret to the login page and back', () => {
  it('sends a logged-out visitor to the login page with a reason, then back to /secret', async () => {
    const kept = await browser.get('/secret');
    expect(kept.statusCode).toBe(303);
    expect(kept.headers.location).toBe('/login?next=%2Fsecret');
    const login = await browser.get(kept.headers.location!);
    expect(login.body).toContain('Log in to see that page.');
    expect(login.body).toContain('<input type="hidden" name="next" value="/secret">');
    await new Browser(app).submit('/register', { email: EMAIL, password: PASSWORD });
    const res = await browser.post('/login', { _csrf: csrfToken(login.body), email: EMAIL, password: PASSWORD, next: '/secret' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/secret');
  });

  it('keeps next across a failed attempt', async () => {
    const res = await browser.submit('/login', { email: EMAIL, password: 'wrong password', next: '/secret' });
    expect(res.body).toContain('<input type="hidden" name="next" value="/secret">');
  });

  it.each(['//evil.example', '/\\evil.example', 'https://evil.example/', '/%2F%2Fevil.example', '/%5Cevil.example'])(
    'goes home instead of to %s, and does not offer it in the form',
    async (next) => {
      await new Browser(app).submit('/register', { email: EMAIL, password: PASSWORD });
      const page = await browser.get(`/login?next=${encodeURIComponent(next)}`);
      expect(page.body).not.toContain('name="next"');
      expect(page.body).not.toContain('Log in to see that page.');
      const res = await browser.post('/login', { _csrf: csrfToken(page.body), email: EMAIL, password: PASSWORD, next });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/');
    },
  );

  it('returns to a local next after registering too', async () => {
    const res = await browser.submit('/register', { email: EMAIL, password: PASSWORD, next: '/secret' }, '/register?next=%2Fsecret');
    expect(res.headers.location).toBe('/secret');
  });
});

describe('the home page', () => {
  it('says "You have logged out." after logout, and which logout', async () => {
    await browser.submit('/register', { email: EMAIL, password: PASSWORD });
    const res = await browser.submit('/logout', {});
    const home = await browser.get(res.headers.location!);
    expect(home.body).toContain('You have logged out.');
    expect((await browser.get('/?logged-out=everywhere')).body).toContain('You have logged out on every device.');
  });

  it('says nothing of the kind otherwise, nor for made-up values', async () => {
    for (const url of ['/', '/?logged-out=nope', '/?logged-out=toString']) expect((await browser.get(url)).body).not.toContain('logged out');
    expect(rpc.requests.every((r) => r.action === 'SESSION_GET')).toBe(true);
  });

  it('does not repeat the menu as a list', async () => {
    const body = (await browser.get('/')).body;
    const main = body.slice(body.indexOf('<main'));
    expect(main).not.toMatch(/<ul|<li/);
  });
});
