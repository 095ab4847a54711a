import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { RpcTimeoutError } from '@gatehouse/messaging';
import { HashingBusyError } from '../src/passwords/hash-limiter.js';
import { Hasher } from '../src/passwords/hasher.js';
import { Browser, makeApp } from './helpers.js';
import type { FakeRpc } from './fake-rpc.js';

// Issue 17 §2 and §3 in the Front End, against the in-memory Back End.
const EMAIL = 'ada@example.com';
const PASSWORD = 'analytical engine 1843';
const YEAR_S = 365 * 24 * 3600;

let app: FastifyInstance;
let rpc: FakeRpc;

async function start(env: Record<string, string> = {}): Promise<void> {
  ({ app, rpc } = await makeApp(undefined, env));
  expect((await new Browser(app).submit('/register', { email: EMAIL, password: PASSWORD })).statusCode).toBe(303);
  rpc.requests.length = 0;
}

afterEach(async () => {
  vi.restoreAllMocks();
  await app?.close();
});

/** The attemptId of each LOGIN_ATTEMPT and LOGIN_ABANDONED sent, in order. */
const attemptIds = () =>
  rpc.requests.flatMap((r) => (r.action === 'LOGIN_ATTEMPT' || r.action === 'LOGIN_ABANDONED' ? [[r.action, r.data.attemptId]] : []));

describe('a login without a verdict', () => {
  beforeEach(() => start());

  it('shed at the verify: 503, and the attempt LOGIN_ATTEMPT counted is given back by its id; a wrong password is not', async () => {
    expect((await new Browser(app).submit('/login', { email: EMAIL, password: 'not the password' })).statusCode).toBe(401);
    vi.spyOn(Hasher.prototype, 'verify').mockRejectedValue(new HashingBusyError(1));
    expect((await new Browser(app).submit('/login', { email: EMAIL, password: PASSWORD })).statusCode).toBe(503);
    const [wrong, shed, abandoned, ...more] = attemptIds();
    expect([abandoned, more]).toEqual([['LOGIN_ABANDONED', shed![1]], []]);
    expect(shed![1]).not.toBe(wrong![1]);
    expect(rpc.failures.get(EMAIL)).toBe(1); // the wrong password's failure only
  });

  it("whose LOGIN_ATTEMPT got no reply in time: 503, and the attempt is given back in case it was counted", async () => {
    rpc.failWith = new RpcTimeoutError('LOGIN_ATTEMPT', 5000);
    rpc.failActions = new Set(['LOGIN_ATTEMPT']);
    expect((await new Browser(app).submit('/login', { email: EMAIL, password: PASSWORD })).statusCode).toBe(503);
    expect(attemptIds().map(([action]) => action)).toEqual(['LOGIN_ATTEMPT', 'LOGIN_ABANDONED']);
  });

  it('is still a 503, not a crash, when the refund itself fails (it is only logged)', async () => {
    vi.spyOn(Hasher.prototype, 'verify').mockRejectedValue(new HashingBusyError(1));
    rpc.failWith = new RpcTimeoutError('LOGIN_ABANDONED', 5000);
    rpc.failActions = new Set(['LOGIN_ABANDONED']);
    expect((await new Browser(app).submit('/login', { email: EMAIL, password: PASSWORD })).statusCode).toBe(503);
    expect(rpc.actions()).toContain('LOGIN_ABANDONED');
    expect((await new Browser(app).get('/login')).statusCode).toBe(200);
  });
});

describe('the device cookie', () => {
  it('is set at login: HttpOnly, SameSite=Lax, a year long, and names the device to the Back End by a hash on the next login', async () => {
    await start();
    const browser = new Browser(app);
    const first = await browser.submit('/login', { email: EMAIL, password: PASSWORD });
    const device = first.cookies.find((c) => c.name === 'device')!;
    expect(device).toMatchObject({ httpOnly: true, sameSite: 'Lax', maxAge: YEAR_S, path: '/' });
    expect(device.value).toMatch(/^d1\./);

    rpc.requests.length = 0;
    await browser.submit('/login', { email: EMAIL, password: PASSWORD });
    const sent = rpc.requests.filter((r) => r.action === 'LOGIN_ATTEMPT' || r.action === 'SESSION_CREATE');
    const hashes = sent.map((r) => (r.data as { deviceHash?: string }).deviceHash);
    expect(hashes).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/), hashes[0]]);
    expect(browser.cookies.get('device')).toBe(device.value); // a trusted browser keeps its nonce
  });

  it('is not sent for another account: that login counts as an untrusted client', async () => {
    await start();
    const browser = new Browser(app);
    await browser.submit('/login', { email: EMAIL, password: PASSWORD });
    rpc.requests.length = 0;
    await browser.submit('/login', { email: 'bob@example.com', password: PASSWORD });
    const attempt = rpc.requests.find((r) => r.action === 'LOGIN_ATTEMPT')!;
    expect(attempt.data).not.toHaveProperty('deviceHash');
  });

  it('is __Host- prefixed and Secure with secure cookies, like the session cookie', async () => {
    await start({ COOKIE_SECURE: 'true' });
    const res = await new Browser(app).submit('/login', { email: EMAIL, password: PASSWORD });
    expect(res.cookies.find((c) => c.name === '__Host-device')).toMatchObject({ secure: true, httpOnly: true, path: '/' });
  });
});
