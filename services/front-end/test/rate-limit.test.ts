import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Browser, makeApp } from './helpers.js';

const TOO_MANY = 'Too many attempts from your network. Wait a minute, then try again.';

let app: FastifyInstance;
afterEach(() => app?.close());

describe('per-IP rate limit on login and register', () => {
  it('answers the 21st POST in a minute with 429, a clear HTML page and Retry-After', async () => {
    ({ app } = await makeApp());
    const browser = new Browser(app, '198.51.100.7');
    // Forged-token POSTs are cheap (403, no hashing) and count all the same.
    for (let i = 0; i < 20; i++) expect((await browser.post('/login', { email: 'x@example.com', password: 'whatever' })).statusCode).toBe(403);
    const res = await browser.post('/login', { email: 'x@example.com', password: 'whatever' });
    expect(res.statusCode).toBe(429);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain(TOO_MANY);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('shares one budget between login and register, per IP, and leaves GETs and other IPs alone', async () => {
    let rpc;
    ({ app, rpc } = await makeApp(undefined, { RATE_LIMIT_PER_MINUTE: '3' }));
    const browser = new Browser(app, '198.51.100.8');
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await browser.submit('/login', { email: 'x@example.com', password: 'wrong password' })).statusCode);
    statuses.push((await browser.submit('/register', { email: 'x@example.com', password: 'a fine password' })).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(rpc.actions()).not.toContain('REGISTER');
    expect((await browser.get('/login')).statusCode).toBe(200);
    expect((await new Browser(app, '198.51.100.9').submit('/login', { email: 'x@example.com', password: 'wrong password' })).statusCode).toBe(401);
  });

  it('does not limit logout', async () => {
    ({ app } = await makeApp(undefined, { RATE_LIMIT_PER_MINUTE: '1' }));
    const browser = new Browser(app);
    for (let i = 0; i < 3; i++) expect((await browser.submit('/logout', {}, '/login')).statusCode).toBe(303);
  });
});
