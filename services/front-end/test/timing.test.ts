import { describe, expect, it, vi } from 'vitest';
import { Browser, makeApp } from './helpers.js';

// Wraps the real verifyPassword so the test can see which hashes the login route checks.
vi.mock('../src/password.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/password.js')>();
  return { ...real, verifyPassword: vi.fn(real.verifyPassword) };
});
const { verifyPassword } = await import('../src/password.js');

describe('login timing', () => {
  it('runs argon2 verification even when the email is unknown', async () => {
    const { app, rpc } = await makeApp();
    const res = await new Browser(app).submit('/login', { email: 'ghost@example.com', password: 'some password' });
    expect(res.statusCode).toBe(401);
    expect(rpc.requests).toEqual([{ action: 'GETHASH', data: { email: 'ghost@example.com' } }]);
    expect(verifyPassword).toHaveBeenCalledTimes(1);
    expect(vi.mocked(verifyPassword).mock.calls[0]?.[0]).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await app.close();
  });
});
