import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Browser, csrfToken, makeApp } from './helpers.js';

const RPC_TIMEOUT_MS = 5000;
const PASSWORD = 'analytical engine 1843';
let app: FastifyInstance | undefined;
afterEach(() => app?.close());

/** Browsers from distinct addresses, each holding its login form's CSRF token, so a burst is only the POSTs. */
async function browsersWithForms(made: FastifyInstance, count: number) {
  const browsers = Array.from({ length: count }, (_, i) => new Browser(made, `10.0.${Math.floor(i / 250)}.${i % 250}`));
  const tokens = await Promise.all(browsers.map(async (browser) => csrfToken((await browser.get('/login')).body)));
  return { browsers, tokens };
}

describe('a login flood', () => {
  it('gets 503s with Retry-After once the expected hashing wait passes its budget, shed before the attempt is counted, while logins within it succeed', async () => {
    // One hashing slot and a 150 ms budget: a handful of OWASP hashes fit, a burst of 40 does not.
    const made = await makeApp(undefined, { HASH_CONCURRENCY: '1', HASH_WAIT_BUDGET_MS: '150', RATE_LIMIT_PER_MINUTE: '100000' });
    app = made.app;
    const { rpc } = made;
    const owner = new Browser(app);
    expect((await owner.submit('/register', { email: 'ada@example.com', password: PASSWORD })).statusCode).toBe(303);

    const { browsers, tokens } = await browsersWithForms(app, 40);
    const before = rpc.requests.length;
    const burst = await Promise.all(
      browsers.map((browser, i) => browser.post('/login', { _csrf: tokens[i]!, email: `guess${i}@example.com`, password: 'wrong password 123' })),
    );

    const statuses = burst.map((res) => res.statusCode);
    expect(statuses.every((s) => s === 401 || s === 503)).toBe(true);
    expect(statuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(2); // the slot and at least one place within the budget
    const shed = burst.filter((res) => res.statusCode === 503);
    expect(shed.length).toBeGreaterThan(20);
    for (const res of shed) {
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(res.body).toContain('The service is busy. Please try again in a moment.');
    }
    // Shed at admission, a login never reached the Back End, so it was not counted as an attempt.
    const counted = new Set(rpc.requests.flatMap((r, i) => (i >= before && r.action === 'LOGIN_ATTEMPT' ? [rpc.reqIds[i]] : [])));
    expect(shed.filter((res) => !counted.has(String(res.headers['x-request-id']))).length).toBeGreaterThan(20);

    // Once the burst is over, a real user gets in.
    expect((await owner.submit('/login', { email: 'ada@example.com', password: PASSWORD })).statusCode).toBe(303);
  });

  it('serves a burst of 64 logins on the default settings, each answered within the RPC timeout', async () => {
    const made = await makeApp(undefined, { RATE_LIMIT_PER_MINUTE: '100000' });
    app = made.app;
    const email = (i: number) => `user${i}@example.com`;
    for (let i = 0; i < 64; i++) {
      expect((await new Browser(app).submit('/register', { email: email(i), password: PASSWORD })).statusCode).toBe(303);
    }
    const { browsers, tokens } = await browsersWithForms(app, 64);
    const started = Date.now();
    const burst = await Promise.all(browsers.map((browser, i) => browser.post('/login', { _csrf: tokens[i]!, email: email(i), password: PASSWORD })));
    expect(burst.map((res) => res.statusCode)).toEqual(Array(64).fill(303));
    // A guard against hanging, not a speed claim: nothing waits past the RPC timeout.
    expect(Date.now() - started).toBeLessThan(RPC_TIMEOUT_MS);
    // The 64 registrations before the burst hash one by one: they alone can pass vitest's 5 s default on a busy machine.
  }, 60_000);
});
