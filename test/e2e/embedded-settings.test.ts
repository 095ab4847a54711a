import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../harness/free-port.js';
import { FormClient } from '../support/form-client.js';
import { startNpmStart, type NpmStart } from '../support/npm-start.js';
import { spawnService } from '../support/service-process.js';

// Issue 10 §1: `npm start` honours the tiers' settings, or refuses them, instead of ignoring them.
const ENTRY = 'services/all-in-one/src/main.ts';
let gatehouse: NpmStart;

beforeAll(async () => {
  gatehouse = await startNpmStart(ENTRY, { RATE_LIMIT_PER_MINUTE: '2' });
});

afterAll(async () => {
  await gatehouse?.stop();
});

it('RATE_LIMIT_PER_MINUTE=2 npm start answers the third login in a minute with 429', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) {
    statuses.push((await new FormClient(gatehouse.url).submit('/login', { email: 'nobody@example.com', password: 'not the password' })).status);
  }
  expect(statuses).toEqual([401, 401, 429]);
});

it('ARGON2_TIME_COST=zero npm start is refused before anything starts, naming the variable', async () => {
  const refused = spawnService(ENTRY, { PORT: String(await freePort()), DATA_DIR: gatehouse.dataDir, ARGON2_TIME_COST: 'zero' });
  expect(await refused.exited).toBe(2);
  expect(refused.output()).toContain('ARGON2_TIME_COST: must be a whole number');
  expect(refused.output()).not.toContain('Starting embedded PostgreSQL');
});

// Issue 11 §6: npm start honours SESSION_STORE like every other Front End setting.
it('SESSION_STORE=cookie npm start keeps the session in a cookie: register, /secret, log out', async () => {
  const cookieMode = await startNpmStart(ENTRY, { SESSION_STORE: 'cookie' });
  try {
    const browser = new FormClient(cookieMode.url);
    const email = `cookie-${Date.now()}@example.com`;
    expect((await browser.submit('/register', { email, password: 'Tr0ub4dor & horse' })).status).toBe(303);
    const secret = await browser.get('/secret');
    expect(secret.body).toContain(email);
    expect(secret.body).not.toContain('/logout-everywhere');
    expect((await browser.submit('/logout', {})).status).toBe(303);
    expect((await browser.get('/secret')).location).toBe('/login?next=%2Fsecret');
    expect(cookieMode.process.output()).toContain('Sessions are kept in encrypted cookies');
  } finally {
    await cookieMode.stop();
  }
});

it('SESSION_STORE=memory npm start is refused, naming the two values', async () => {
  const refused = spawnService(ENTRY, { PORT: String(await freePort()), DATA_DIR: gatehouse.dataDir, SESSION_STORE: 'memory' });
  expect(await refused.exited).toBe(2);
  expect(refused.output()).toContain('SESSION_STORE: must be "back-end" or "cookie"');
});
