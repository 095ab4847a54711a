import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { RpcTimeoutError } from '@gatehouse/messaging';
import { buildApp } from '../src/app.js';
import { loadFrontEndConfig } from '../src/config.js';
import { FakeRpc } from './fake-rpc.js';
import { Browser, TEST_ENV } from './helpers.js';

const EMAIL = 'writer@example.com';
const PASSWORD = 'never log me 12345';

// A bare pino, without @gatehouse/runtime's redaction: what the app itself logs must be clean.
function captureLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'trace' }, stream), lines };
}

async function appWithCapturedLogs(env: Record<string, string> = {}) {
  const { logger, lines } = captureLogger();
  const rpc = new FakeRpc();
  const app = await buildApp({ rpc, config: loadFrontEndConfig({ ...TEST_ENV, ...env }), logger });
  return { app, rpc, lines };
}

describe('logging', () => {
  it('logs a 5xx with its request context and never logs the password', async () => {
    const { app, rpc, lines } = await appWithCapturedLogs();
    const browser = new Browser(app);
    await browser.submit('/register', { email: EMAIL, password: PASSWORD });
    rpc.failWith = new Error('broker exploded');
    rpc.failActions = new Set(['LOGIN_ATTEMPT']);
    const res = await browser.submit('/login', { email: EMAIL, password: PASSWORD });
    await app.close();

    expect(res.statusCode).toBe(500);
    const failure = lines.find((l) => l.msg === 'request failed');
    expect(failure).toMatchObject({ level: 50, method: 'POST', url: '/login', status: 500 });
    expect(failure?.reqId).toBeDefined();
    expect((failure?.err as { message?: string }).message).toBe('broker exploded');
    expect(JSON.stringify(lines)).not.toContain(PASSWORD);
  });

  it('never logs passwords, hashes, session ids, token hashes or cookies, through a whole session', async () => {
    // ARGON2_TIME_COST=3 with a t=2 account forces a hash upgrade too.
    const { app, rpc, lines } = await appWithCapturedLogs({ ARGON2_TIME_COST: '3' });
    const browser = new Browser(app);
    await browser.submit('/register', { email: EMAIL, password: PASSWORD });
    const registeredHash = rpc.users.get(EMAIL)!;
    const firstId = browser.cookies.get('session')!;
    await browser.submit('/logout', {});
    await browser.submit('/login', { email: EMAIL, password: 'wrong password here' });
    await browser.submit('/login', { email: EMAIL, password: PASSWORD });
    const secondId = browser.cookies.get('session')!;
    const csrfCookie = browser.cookies.get('csrf')!;
    rpc.failWith = new RpcTimeoutError('SESSION_GET', 5000);
    await browser.get('/secret'); // a 503, logged with its error
    rpc.failWith = undefined;
    await browser.submit('/logout-everywhere', {}, '/secret');
    await app.close();

    const sha = (v: string) => createHash('sha256').update(v).digest('hex');
    const logged = JSON.stringify(lines);
    // One line per request (ShortRequestLog) and the 503's error: every one is checked below.
    expect(lines.length).toBeGreaterThan(10);
    const secrets = [PASSWORD, 'wrong password here', registeredHash, rpc.users.get(EMAIL)!, firstId, secondId, sha(firstId), sha(secondId), csrfCookie];
    for (const secret of secrets) expect(logged).not.toContain(secret);
    expect(logged).not.toMatch(/\$argon2/);
  });

  it('keeps emails out of info-level logs of a registration, logins and a page', async () => {
    const { app, lines } = await appWithCapturedLogs();
    const browser = new Browser(app);
    await browser.submit('/register', { email: EMAIL, password: PASSWORD });
    await browser.get('/secret');
    await browser.submit('/logout', {}, '/secret');
    await browser.submit('/login', { email: EMAIL, password: 'wrong password here' });
    await browser.submit('/login', { email: EMAIL, password: PASSWORD });
    await app.close();

    const atInfo = lines.filter((line) => (line.level as number) >= 30);
    // The four form posts; successful page views are at debug.
    expect(atInfo.filter((line) => line.method === 'POST')).toHaveLength(4);
    expect(JSON.stringify(atInfo)).not.toContain(EMAIL);
  });

  it('writes one short line per request: page views at debug, form posts and refusals at info', async () => {
    const { app, lines } = await appWithCapturedLogs();
    const browser = new Browser(app);
    await browser.get('/');
    await browser.submit('/login', { email: EMAIL, password: 'wrong password here' });
    await app.inject({ method: 'POST', url: '/logout' }); // no CSRF token: 403, logged by errors.ts
    await app.inject('/nope');
    await app.close();

    const requestLines = (url: string, method = 'GET') => lines.filter((l) => l.url === url && l.method === method);
    expect(requestLines('/')).toMatchObject([{ level: 20, status: 200, msg: 'request' }]);
    expect(requestLines('/login', 'POST')).toMatchObject([{ level: 30, status: 401, msg: 'request' }]);
    expect(requestLines('/logout', 'POST')).toMatchObject([{ level: 30, status: 403, msg: 'request refused' }]);
    expect(requestLines('/nope')).toMatchObject([{ level: 30, status: 404, msg: 'request' }]);
    expect(lines.filter((l) => l.msg === 'incoming request' || l.msg === 'request completed')).toEqual([]);
  });
});
