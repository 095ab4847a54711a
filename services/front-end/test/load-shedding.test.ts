import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Browser, csrfToken, makeApp } from './helpers.js';

const RPC_TIMEOUT_MS = 5000;
let app: FastifyInstance | undefined;
afterEach(() => app?.close());

describe('a login flood', () => {
  it('gets fast 503s with Retry-After beyond the hashing queue, while logins within it succeed', async () => {
    const made = await makeApp(undefined, { HASH_CONCURRENCY: '1', HASH_QUEUE_MAX: '2', RATE_LIMIT_PER_MINUTE: '100000' });
    app = made.app;
    const owner = new Browser(app);
    expect((await owner.submit('/register', { email: 'ada@example.com', password: 'analytical engine 1843' })).statusCode).toBe(303);

    // Each attacker has its form (and CSRF token) first, so the burst is only the POSTs.
    const attackers = Array.from({ length: 40 }, (_, i) => new Browser(app!, `10.0.0.${i}`));
    const tokens = await Promise.all(attackers.map(async (browser) => csrfToken((await browser.get('/login')).body)));
    const started = Date.now();
    const burst = await Promise.all(
      attackers.map(async (browser, i) => {
        const res = await browser.post('/login', { _csrf: tokens[i]!, email: `guess${i}@example.com`, password: 'wrong password 123' });
        return { res, ms: Date.now() - started };
      }),
    );

    const statuses = burst.map(({ res }) => res.statusCode);
    expect(statuses.every((s) => s === 401 || s === 503)).toBe(true);
    expect(statuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(3); // the slot and the queue were served
    const shed = burst.filter(({ res }) => res.statusCode === 503);
    expect(shed.length).toBeGreaterThan(20);
    for (const { res } of shed) {
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body).toContain('The service is busy. Please try again in a moment.');
    }
    expect(Math.max(...burst.map(({ ms }) => ms))).toBeLessThan(RPC_TIMEOUT_MS);

    // Once the burst is over, a real user gets in.
    const login = await owner.submit('/login', { email: 'ada@example.com', password: 'analytical engine 1843' });
    expect(login.statusCode).toBe(303);
  });
});
