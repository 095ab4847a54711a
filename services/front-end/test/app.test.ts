import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { RpcTimeoutError, RpcUnavailableError } from '@gatehouse/messaging';
import type { Reply, Request } from '@gatehouse/protocol';
import { Browser, makeApp } from './helpers.js';
import { FakeRpc } from './fake-rpc.js';

const EMAIL = 'grace@example.com';
const PASSWORD = 'cobol compiler 1959';
const BUSY = 'The service is busy. Please try again in a moment.';

let app: FastifyInstance;
afterEach(() => app?.close());

describe('health', () => {
  it('/healthz is always 200', async () => {
    const rpc = new FakeRpc();
    rpc.ready = false;
    ({ app } = await makeApp(rpc));
    const res = await app.inject('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz follows rpc.isReady()', async () => {
    let rpc: FakeRpc;
    ({ app, rpc } = await makeApp());
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    rpc.ready = false;
    const res = await app.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'not ready' });
  });
});

describe('when Messaging fails', () => {
  it.each([
    ['register', '/register'],
    ['login', '/login'],
  ])('an RPC timeout on %s answers 503 with the busy text', async (_name, url) => {
    let rpc: FakeRpc;
    ({ app, rpc } = await makeApp());
    rpc.failWith = new RpcTimeoutError('REGISTER', 5000);
    const res = await new Browser(app).submit(url, { email: EMAIL, password: PASSWORD });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain(BUSY);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).not.toContain('5000 ms');
  });

  it('an unreachable broker is also a busy page', async () => {
    let rpc: FakeRpc;
    ({ app, rpc } = await makeApp());
    rpc.failWith = new RpcUnavailableError('GETHASH', new Error('connection refused'));
    const res = await new Browser(app).submit('/login', { email: EMAIL, password: PASSWORD });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain(BUSY);
  });

  it('an unexpected failure shows a generic page without details or stack', async () => {
    let rpc: FakeRpc;
    ({ app, rpc } = await makeApp());
    rpc.failWith = new Error('db password is hunter2');
    const res = await new Browser(app).submit('/login', { email: EMAIL, password: PASSWORD });
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('Something went wrong');
    expect(res.body).not.toContain('hunter2');
    expect(res.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('a REGISTER refusal other than "User already exists" is a server error', async () => {
    class Refusing extends FakeRpc {
      protected override answer(_request: Request): Reply {
        return { success: false, message: 'data.hash: hash is required' };
      }
    }
    ({ app } = await makeApp(new Refusing()));
    const res = await new Browser(app).submit('/register', { email: EMAIL, password: PASSWORD });
    expect(res.statusCode).toBe(502);
    expect(res.body).not.toContain('hash is required');
  });
});

describe('pages and headers', () => {
  it('sends a strict CSP with no inline scripts or external origins', async () => {
    ({ app } = await makeApp());
    for (const url of ['/', '/login', '/no-such-page']) {
      const csp = String((await app.inject(url)).headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toMatch(/https?:/);
    }
  });

  it('sends no HSTS over plain HTTP (see server.test.ts for HTTPS)', async () => {
    ({ app } = await makeApp());
    expect((await app.inject('/')).headers['strict-transport-security']).toBeUndefined();
  });

  it('renders pages without inline scripts or styles', async () => {
    ({ app } = await makeApp());
    for (const url of ['/', '/login', '/register', '/logout', '/secret', '/nope']) {
      const body = (await app.inject(url)).body;
      // Scripts only as same-origin files under /assets/ (the CSP's script-src 'self').
      expect(body.replace(/<script src="\/assets\/[\w.-]+\.js" defer><\/script>/g, '')).not.toMatch(/<script|<style| style=| on[a-z]+=/i);
    }
  });

  it('shows logged-out links on the index', async () => {
    ({ app } = await makeApp());
    const res = await app.inject('/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('href="/login"');
    expect(res.body).toContain('href="/register"');
  });

  it('answers unknown addresses with a 404 page', async () => {
    ({ app } = await makeApp());
    const res = await app.inject('/nope');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('Page not found');
  });

  it('refuses oversized forms with a clear 413 page', async () => {
    ({ app } = await makeApp());
    const res = await app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `email=${'a'.repeat(20_000)}`,
    });
    expect(res.statusCode).toBe(413);
    expect(res.body).toContain('too large');
  });

  it('serves the stylesheet under its fingerprinted name, cached for a year, as the pages link it', async () => {
    ({ app } = await makeApp());
    const href = /<link rel="stylesheet" href="([^"]+)">/.exec((await app.inject('/')).body)?.[1];
    expect(href).toMatch(/^\/assets\/style\.[0-9a-f]{12}\.css$/);
    const res = await app.inject(href!);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/css');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.body).toContain('prefers-color-scheme: dark');
  });

  it('answers 404 for old and unknown asset names', async () => {
    ({ app } = await makeApp());
    for (const url of ['/style.css', '/assets/style.css', '/assets/style.000000000000.css', '/assets/nope.js', '/assets/..%2Fsrc%2Fapp.ts']) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['cache-control'], url).toBe('no-store');
    }
  });

  it('links the password hint script on the register page, and it is served', async () => {
    ({ app } = await makeApp());
    const src = /<script src="([^"]+)" defer><\/script>/.exec((await app.inject('/register')).body)?.[1];
    expect(src).toMatch(/^\/assets\/password-hint\.[0-9a-f]{12}\.js$/);
    const res = await app.inject(src!);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/javascript');
  });
});
