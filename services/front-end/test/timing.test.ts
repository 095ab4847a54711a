import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Browser, makeApp } from './helpers.js';
import { LOCKOUT_THRESHOLD, type FakeRpc } from './fake-rpc.js';

// Wraps the real verifyPassword so the test can see which hashes the login route checks.
vi.mock('../src/passwords/password.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/passwords/password.js')>();
  return { ...real, verifyPassword: vi.fn(real.verifyPassword) };
});
const { verifyPassword } = await import('../src/passwords/password.js');
const verified = () => vi.mocked(verifyPassword).mock.calls.map(([hash]) => hash);

const EMAIL = 'ada@example.com';
const PASSWORD = 'analytical engine 1843';

let app: FastifyInstance;
let rpc: FakeRpc;

beforeEach(async () => {
  ({ app, rpc } = await makeApp(undefined, { ARGON2_TIME_COST: '3' }));
  await new Browser(app).submit('/register', { email: EMAIL, password: PASSWORD });
  rpc.requests.length = 0;
  vi.mocked(verifyPassword).mockClear();
});
afterEach(() => app.close());

const attempt = (email: string, password: string) => new Browser(app).submit('/login', { email, password });

describe('login does the same work whatever fails', () => {
  it('verifies an unknown email against a dummy hash made with the configured parameters, and reports the failure', async () => {
    expect((await attempt('ghost@example.com', 'some password')).statusCode).toBe(401);
    expect(rpc.actions()).toEqual(['LOGIN_ATTEMPT', 'LOGIN_FAILED']);
    expect(verified()).toHaveLength(1);
    expect(verified()[0]).toMatch(/^\$argon2id\$v=19\$m=19456,t=3,p=1\$/);
    expect(verified()[0]).not.toBe(rpc.users.get(EMAIL));
  });

  it('a wrong password costs the same calls: one LOGIN_ATTEMPT, one verify, one LOGIN_FAILED', async () => {
    expect((await attempt(EMAIL, 'not the password')).statusCode).toBe(401);
    expect(rpc.actions()).toEqual(['LOGIN_ATTEMPT', 'LOGIN_FAILED']);
    expect(verified()).toEqual([rpc.users.get(EMAIL)]);
  });

  it('a locked account is verified against the dummy hash too, never its own', async () => {
    for (let i = 0; i < LOCKOUT_THRESHOLD; i++) await attempt(EMAIL, 'wrong');
    await attempt('ghost@example.com', 'x'.repeat(12));
    const dummy = verified().at(-1);
    vi.mocked(verifyPassword).mockClear();
    rpc.requests.length = 0;
    expect((await attempt(EMAIL, PASSWORD)).statusCode).toBe(401);
    expect(rpc.actions()).toEqual(['LOGIN_ATTEMPT', 'LOGIN_FAILED']);
    expect(verified()).toEqual([dummy]);
  });
});
