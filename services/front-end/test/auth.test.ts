import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { RpcTimeoutError } from '@gatehouse/messaging';
import { Hasher } from '../src/passwords/hasher.js';
import { Browser, makeApp, USER_AGENT, useFreshApp } from './helpers.js';
import { LOCKOUT_THRESHOLD, type FakeRpc } from './fake-rpc.js';

const EMAIL = 'ada@example.com';
const PASSWORD = 'analytical engine 1843';
const CLIENT = { ip: '127.0.0.1', userAgent: USER_AGENT };
/** Each login's own id, for its refund (LOGIN_ABANDONED). */
const ATTEMPT_ID = expect.stringMatching(/^[0-9a-f-]{36}$/);

let app: FastifyInstance;
let rpc: FakeRpc;
let browser: Browser;

useFreshApp((made) => ({ app, rpc, browser } = made));

async function register(b = browser, email = EMAIL, password = PASSWORD) {
  return b.submit('/register', { email, password });
}

const fieldError = (html: string, field: string) =>
  new RegExp(`<p class="field-error" id="${field}-error"><span class="visually-hidden">Error: </span>([^<]*)</p>`).exec(html)?.[1];
/** The login failure's text, as the page shows it. */
const loginAlert = (html: string) => /<p class="alert" id="login-error">([^<]*)<\/p>/.exec(html)?.[1];

describe('register', () => {
  it('logs the new user in and lands on the home page with a 303', async () => {
    const res = await register();
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/');
    const home = await browser.get('/');
    expect(home.body).toContain(`Logged in as <strong>${EMAIL}</strong>`);
  });

  it('sends exactly one RPC: REGISTER (normalised email, argon2id hash, client) carrying the new session\'s tokenHash', async () => {
    await register(browser, '  Ada@Example.COM ');
    expect(rpc.requests).toEqual([
      {
        action: 'REGISTER',
        data: { email: EMAIL, hash: expect.stringMatching(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/), tokenHash: expect.stringMatching(/^[0-9a-f]{64}$/), verifyEmail: true, client: CLIENT, ipLimitPerMinute: expect.any(Number) },
      },
    ]);
    // The cookie the browser got is the session REGISTER stored.
    const [stored] = [...rpc.sessions.keys()];
    expect(stored).toBe((rpc.requests[0]!.data as { tokenHash: string }).tokenHash);
  });

  it('falls back to SESSION_CREATE (reason "register") when an older Back End ignores tokenHash', async () => {
    rpc.registerIgnoresTokenHash = true;
    const res = await register();
    expect(res.statusCode).toBe(303);
    const sent = (rpc.requests[0]!.data as { tokenHash: string }).tokenHash;
    expect(rpc.requests[1]).toEqual({ action: 'SESSION_CREATE', data: { email: EMAIL, tokenHash: sent, reason: 'register', client: CLIENT } });
    expect((await browser.get('/')).body).toContain(`Logged in as <strong>${EMAIL}</strong>`);
  });

  it('hashes with the configured argon2 parameters', async () => {
    const { app: tuned, rpc: tunedRpc } = await makeApp(undefined, { ARGON2_MEMORY_KIB: '8192', ARGON2_TIME_COST: '3', ARGON2_PARALLELISM: '2' });
    await register(new Browser(tuned));
    expect(tunedRpc.users.get(EMAIL)).toMatch(/^\$argon2id\$v=19\$m=8192,t=3,p=2\$/);
    await tuned.close();
  });

  it('refuses a duplicate with 409 and the message by the email field, and starts no session', async () => {
    await register();
    const again = await register(new Browser(app));
    expect(again.statusCode).toBe(409);
    expect(fieldError(again.body, 'email')).toBe('An account with this email address already exists.');
    expect(String(again.headers['set-cookie'] ?? '')).not.toMatch(/(^|, )session=[^;]/);
    expect(rpc.sessions.size).toBe(1);
    expect(rpc.actions()).not.toContain('SESSION_CREATE');
  });
});

describe('the password policy, next to the field', () => {
  const cases: Array<[string, Record<string, string>, 'email' | 'password', string]> = [
    ['missing fields', {}, 'email', 'Enter your email address.'],
    ['a missing password', { email: EMAIL }, 'password', 'Enter a password.'],
    ['a bad email', { email: 'not-an-email', password: PASSWORD }, 'email', 'Enter an email address in the form name@example.com.'],
    ['a 255-character email', { email: `${'a'.repeat(243)}@example.com`, password: PASSWORD }, 'email', 'Email address must be at most 254 characters.'],
    ['a 7-character password', { email: EMAIL, password: 'seven77' }, 'password', 'Password must be at least 8 characters.'],
    ['129 code points', { email: EMAIL, password: 'p'.repeat(129) }, 'password', 'Password must be at most 128 characters.'],
    ['129 emoji (258 UTF-16 units)', { email: EMAIL, password: '🔑'.repeat(129) }, 'password', 'Password must be at most 128 characters.'],
    ['a huge password', { email: EMAIL, password: 'p'.repeat(10_000) }, 'password', 'Password must be at most 128 characters.'],
    ['a common password', { email: EMAIL, password: 'password1' }, 'password', 'This password is one of the most common passwords. Choose one that is harder to guess.'],
    ['a common password in capitals', { email: EMAIL, password: 'BASEBALL' }, 'password', 'This password is one of the most common passwords. Choose one that is harder to guess.'],
    ['a common password in fullwidth', { email: EMAIL, password: 'ｆｏｏｔｂａｌｌ' }, 'password', 'This password is one of the most common passwords. Choose one that is harder to guess.'],
    ['the email itself', { email: 'grace.h@example.com', password: 'Grace.H@Example.com' }, 'password', 'Password must not be your email address.'],
    ['the local part inside', { email: 'grace.h@example.com', password: 'my GRACE.H secret' }, 'password', 'Password must not contain the part of your email address before the @.'],
  ];

  it.each(cases)('register with %s → 400, the message by its field, no RPC', async (_name, form, field, message) => {
    const res = await browser.submit('/register', form);
    expect(res.statusCode).toBe(400);
    expect(fieldError(res.body, field)).toBe(message);
    expect(rpc.requests).toEqual([]);
  });

  it('allows a short local part inside the password (too common to forbid)', async () => {
    const res = await register(browser, 'al@example.com', 'normal pal words');
    expect(res.statusCode).toBe(303);
  });

  it('accepts exactly 128 code points, emoji counted once', async () => {
    expect((await register(browser, EMAIL, '🔑'.repeat(128))).statusCode).toBe(303);
  });

  it('keeps the typed email but never echoes the password', async () => {
    const res = await browser.submit('/register', { email: EMAIL, password: 'short' });
    expect(res.body).toContain(`value="${EMAIL}"`);
    expect(res.body).not.toContain('short"');
  });

  it('escapes what it echoes back', async () => {
    const res = await browser.submit('/register', { email: '"><script>x</script>', password: PASSWORD });
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toContain('<script>');
    expect(res.body).toContain('&quot;&gt;&lt;script&gt;');
  });

  it('login refuses a 129-code-point password before any RPC', async () => {
    const res = await browser.submit('/login', { email: EMAIL, password: 'p'.repeat(129) });
    expect(res.statusCode).toBe(400);
    expect(fieldError(res.body, 'password')).toBe('Password must be at most 128 characters.');
    expect(rpc.requests).toEqual([]);
  });

  it('login does not apply the registration rules (an old short password can still log in)', async () => {
    const res = await browser.submit('/login', { email: EMAIL, password: 'short' });
    expect(res.statusCode).toBe(401);
  });
});

describe('Unicode normalisation (NFKC)', () => {
  it('registers a fullwidth password and logs in with its ASCII form', async () => {
    expect((await register(browser, EMAIL, 'Ｗｉｄｅ　ｐａｓｓｗｏｒｄ　９')).statusCode).toBe(303);
    const res = await new Browser(app).submit('/login', { email: EMAIL, password: 'Wide password 9' });
    expect(res.statusCode).toBe(303);
  });

  it('treats composed and decomposed accents as one password', async () => {
    expect((await register(browser, EMAIL, 'caf\u00e9 au lait noir')).statusCode).toBe(303);
    expect((await new Browser(app).submit('/login', { email: EMAIL, password: 'cafe\u0301 au lait noir' })).statusCode).toBe(303);
  });
});

describe('login', () => {
  beforeEach(async () => {
    await register(new Browser(app));
    rpc.requests.length = 0;
  });

  it('logs in with the right password: LOGIN_ATTEMPT, then SESSION_CREATE (reason login), then 303', async () => {
    const res = await browser.submit('/login', { email: EMAIL, password: PASSWORD });
    expect(res.statusCode).toBe(303);
    expect((await browser.get('/secret')).body).toContain(EMAIL);
    expect(rpc.requests.slice(0, 2)).toEqual([
      { action: 'LOGIN_ATTEMPT', data: { email: EMAIL, client: CLIENT, ipLimitPerMinute: expect.any(Number), attemptId: ATTEMPT_ID } },
      { action: 'SESSION_CREATE', data: { email: EMAIL, tokenHash: expect.stringMatching(/^[0-9a-f]{64}$/), reason: 'login', client: CLIENT } },
    ]);
  });

  it('gives the same answer for a wrong password and an unknown email, and reports both failures', async () => {
    const wrong = await browser.submit('/login', { email: EMAIL, password: 'not the password' });
    const unknown = await browser.submit('/login', { email: 'nobody@example.com', password: PASSWORD });
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(401);
      expect(loginAlert(res.body)).toMatch(/^Invalid email or password\. /);
    }
    expect(loginAlert(wrong.body)).toBe(loginAlert(unknown.body));
    expect(rpc.requests.filter((r) => r.action !== 'SESSION_GET')).toEqual([
      { action: 'LOGIN_ATTEMPT', data: { email: EMAIL, client: CLIENT, ipLimitPerMinute: expect.any(Number), attemptId: ATTEMPT_ID } },
      { action: 'LOGIN_FAILED', data: { email: EMAIL, client: CLIENT, counted: true } },
      { action: 'LOGIN_ATTEMPT', data: { email: 'nobody@example.com', client: CLIENT, ipLimitPerMinute: expect.any(Number), attemptId: ATTEMPT_ID } },
      { action: 'LOGIN_FAILED', data: { email: 'nobody@example.com', client: CLIENT, counted: true } },
    ]);
    expect((await browser.get('/secret')).statusCode).toBe(303);
  });

  it('does the same argon2 work for an unknown email as for a wrong password, so timing tells nothing', async () => {
    const verify = vi.spyOn(Hasher.prototype, 'verify');
    try {
      await browser.submit('/login', { email: EMAIL, password: 'not the password' });
      await browser.submit('/login', { email: 'nobody@example.com', password: PASSWORD });
      expect(verify).toHaveBeenCalledTimes(2);
      // Both verify against a hash of the configured cost: the user's, and a dummy one for nobody.
      const costs = verify.mock.calls.map(([hash]) => /\$argon2id\$v=19\$(m=\d+,t=\d+,p=\d+)\$/.exec(hash)?.[1]);
      expect(costs[0]).toBeDefined();
      expect(costs[1]).toBe(costs[0]);
    } finally {
      verify.mockRestore();
    }
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

describe('per-account lockout', () => {
  beforeEach(() => register(new Browser(app)));

  it('answers the same 401 once the account is locked, even with the right password, and starts no session', async () => {
    for (let i = 0; i < LOCKOUT_THRESHOLD; i++) {
      expect((await browser.submit('/login', { email: EMAIL, password: `wrong guess ${i}` })).statusCode).toBe(401);
    }
    rpc.requests.length = 0;
    const locked = await browser.submit('/login', { email: EMAIL, password: PASSWORD });
    expect(locked.statusCode).toBe(401);
    expect(rpc.actions()).toEqual(['LOGIN_ATTEMPT', 'LOGIN_FAILED']);
    // Word for word what any failure says (it mentions lockouts in general, always).
    const wrong = await new Browser(app).submit('/login', { email: 'nobody@example.com', password: PASSWORD });
    expect(loginAlert(locked.body)).toBe(loginAlert(wrong.body));
    expect(loginAlert(locked.body)).toMatch(/^Invalid email or password\. /);
    expect((await browser.get('/secret')).statusCode).toBe(303);
  });

  it('a successful login resets the failure count', async () => {
    for (let i = 0; i < LOCKOUT_THRESHOLD - 1; i++) await browser.submit('/login', { email: EMAIL, password: 'wrong guess' });
    expect((await browser.submit('/login', { email: EMAIL, password: PASSWORD })).statusCode).toBe(303);
    expect(rpc.failures.get(EMAIL)).toBeUndefined();
  });
});

describe('hash upgrade', () => {
  it('sends UPDATE_HASH with a hash at the new parameters after a login with an older hash', async () => {
    const { app: old, rpc: shared } = await makeApp(undefined, { ARGON2_TIME_COST: '1' });
    await register(new Browser(old));
    await old.close();
    expect(shared.users.get(EMAIL)).toMatch(/t=1,p=1\$/);
    const { app: current } = await makeApp(shared, { ARGON2_TIME_COST: '2' });
    shared.requests.length = 0;
    expect((await new Browser(current).submit('/login', { email: EMAIL, password: PASSWORD })).statusCode).toBe(303);
    expect(shared.requests.at(-1)).toEqual({
      action: 'UPDATE_HASH',
      data: { email: EMAIL, hash: expect.stringMatching(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/), client: CLIENT },
    });
    expect(shared.users.get(EMAIL)).toMatch(/t=2,p=1\$/);
    // Upgraded once: the next login finds nothing to do.
    await new Browser(current).submit('/login', { email: EMAIL, password: PASSWORD });
    expect(shared.actions().filter((a) => a === 'UPDATE_HASH')).toHaveLength(1);
    await current.close();
  });

  it('sends no UPDATE_HASH when the parameters are unchanged', async () => {
    await register();
    await new Browser(app).submit('/login', { email: EMAIL, password: PASSWORD });
    expect(rpc.actions()).not.toContain('UPDATE_HASH');
  });

  it('still logs the user in when UPDATE_HASH fails', async () => {
    const { app: old, rpc: shared } = await makeApp(undefined, { ARGON2_TIME_COST: '1' });
    await register(new Browser(old));
    await old.close();
    const { app: current } = await makeApp(shared);
    shared.failWith = new RpcTimeoutError('UPDATE_HASH', 5000);
    shared.failActions = new Set(['UPDATE_HASH']);
    const login = new Browser(current);
    expect((await login.submit('/login', { email: EMAIL, password: PASSWORD })).statusCode).toBe(303);
    expect((await login.get('/secret')).statusCode).toBe(200);
    expect(shared.users.get(EMAIL)).toMatch(/t=1,p=1\$/);
    await current.close();
  });
});
