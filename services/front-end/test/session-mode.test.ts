import { describe, expect, it } from 'vitest';
import { Browser, makeApp } from './helpers.js';

const EMAIL = 'mode@example.com';
const PASSWORD = 'Tr0ub4dor & horse battery';

/** Registers, fails a login, logs in, opens /secret and /logout: what each mode asks of the Back End. */
async function journey(env: Record<string, string>) {
  const { app, rpc } = await makeApp(undefined, env);
  try {
    const browser = new Browser(app);
    expect((await browser.submit('/register', { email: EMAIL, password: PASSWORD })).statusCode).toBe(303);
    expect((await new Browser(app).submit('/login', { email: EMAIL, password: 'wrong password, wrong' })).statusCode).toBe(401);
    expect((await browser.submit('/login', { email: EMAIL, password: PASSWORD })).statusCode).toBe(303);
    const secret = await browser.get('/secret');
    expect(secret.statusCode).toBe(200);
    const logoutPage = await browser.get('/logout');
    const actions = rpc.actions();
    const everywhere = await browser.post('/logout-everywhere', {});
    return { actions, secret: secret.body, logoutPage: logoutPage.body, everywhere: everywhere.statusCode };
  } finally {
    await app.close();
  }
}

describe('SESSION_STORE chooses the session store and the actions that go with it', () => {
  it('back-end: sessions, lockout and audit through the Back End, and "log out everywhere"', async () => {
    const { actions, secret, logoutPage, everywhere } = await journey({});
    // The login form's page looks the session up too (SESSION_GET), and the login ends the old one.
    expect(actions).toEqual(['REGISTER', 'LOGIN_ATTEMPT', 'LOGIN_FAILED', 'SESSION_GET', 'LOGIN_ATTEMPT', 'SESSION_CREATE', 'SESSION_REVOKE', 'SESSION_GET', 'SESSION_GET']);
    expect(secret).toContain('action="/logout-everywhere"');
    expect(logoutPage).toContain('action="/logout-everywhere"');
    expect(everywhere).toBe(403); // the route exists; this post has no CSRF token
  });

  it('cookie: only REGISTER and GETHASH, and no "log out everywhere" form or route', async () => {
    const { actions, secret, logoutPage, everywhere } = await journey({ SESSION_STORE: 'cookie' });
    expect(actions).toEqual(['REGISTER', 'GETHASH', 'GETHASH']);
    expect(secret).toContain(EMAIL);
    expect(secret).not.toContain('/logout-everywhere');
    expect(logoutPage).toContain('action="/logout"');
    expect(logoutPage).not.toContain('/logout-everywhere');
    expect(everywhere).toBe(404);
  });
});
