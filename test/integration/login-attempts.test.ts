import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, pruneIpAttempts, type Database } from '@gatehouse/database';
import { FormClient } from '../support/form-client.js';
import { startStack, type Stack } from '../support/stack.js';
import { newEmail as newUserEmail } from '../support/test-ids.js';

// Issue 7 §2 and §4 against real processes: two Front Ends, one Back End, one database.
const PASSWORD = 'Tr0ub4dor & horse';
const THRESHOLD = 5;
const newEmail = () => newUserEmail('attempts');

interface Tiers {
  stack: Stack;
  urls: string[];
  db: Database;
}

async function twoFrontEnds(frontEndEnv: Record<string, string>): Promise<Tiers> {
  const stack = await startStack(frontEndEnv, { LOCKOUT_THRESHOLD: String(THRESHOLD) });
  const other = await stack.addFrontEnd(frontEndEnv);
  return { stack, urls: [stack.url, other.url], db: connectDatabase({ url: stack.databaseUrl }) };
}

/** Two Front Ends and a Back End for one describe block, started before it and stopped after. */
function withTiers(frontEndEnv: Record<string, string>): () => Tiers {
  let tiers: Tiers | undefined;
  beforeAll(async () => {
    tiers = await twoFrontEnds(frontEndEnv);
  });
  afterAll(async () => {
    await tiers?.db.close();
    await tiers?.stack.stop();
  });
  return () => tiers!;
}

const login = (url: string, email: string, password: string) => new FormClient(url).submit('/login', { email, password });

async function register(url: string, email: string): Promise<void> {
  expect((await new FormClient(url).submit('/register', { email, password: PASSWORD })).status).toBe(303);
}

async function failureRow(db: Database, email: string) {
  const [row] = await db.readWrite<{ failures: number; locked: boolean }[]>`
    SELECT failures, coalesce(locked_until > now(), false) AS locked FROM login_failures WHERE email = ${email}`;
  return row;
}

async function eventCounts(db: Database, email: string): Promise<Record<string, number>> {
  const rows = await db.readWrite<{ event: string; n: number }[]>`
    SELECT event, count(*)::int AS n FROM auth_events WHERE email = ${email} GROUP BY event`;
  return Object.fromEntries(rows.map((r) => [r.event, r.n]));
}

describe('lockout under parallel guessing', () => {
  const tiers = withTiers({});

  it('50 parallel wrong guesses through two Front Ends lock the account after exactly the threshold', async () => {
    const { urls, db } = tiers();
    const email = newEmail();
    await register(urls[0]!, email);
    const guesses = await Promise.all(Array.from({ length: 50 }, (_, i) => login(urls[i % 2]!, email, `wrong guess ${i}`)));
    // 503: a Front End may shed a guess it cannot hash in time: before LOGIN_ATTEMPT (uncounted), or
    // rarely after it, when LOGIN_ABANDONED gives the attempt back (login-refund.test.ts).
    const statuses = guesses.map((g) => g.status);
    expect(statuses.filter((s) => s !== 401 && s !== 503)).toEqual([]);
    // Only THRESHOLD attempts got an attempt slot (and the real hash); the rest found the lock.
    expect(await failureRow(db, email)).toEqual({ failures: THRESHOLD, locked: true });
    const failed = statuses.filter((s) => s === 401).length;
    expect(await eventCounts(db, email)).toEqual({ register: 1, email_verification_requested: 1, login_failure: failed, lockout: 1 });

    const right = await login(urls[1]!, email, PASSWORD);
    expect(right.status).toBe(401);
    const message = (html: string) => /<p class="error" role="alert">([^<]*)<\/p>/.exec(html)?.[1];
    expect(message(right.body)).toBe(message(guesses[statuses.indexOf(401)]!.body));
    expect(right.setCookies.some((c) => /session=[^;]/.test(c))).toBe(false);
  });

  it('failures decay: a count idle past the reset time (12 h) starts again', async () => {
    const { urls, db } = tiers();
    const email = newEmail();
    await register(urls[0]!, email);
    for (let i = 0; i < THRESHOLD - 1; i++) expect((await login(urls[i % 2]!, email, 'wrong guess')).status).toBe(401);
    await db.readWrite`UPDATE login_failures SET updated_at = updated_at - interval '13 hours' WHERE email = ${email}`;
    // Without decay this would be the fifth failure in a row, and lock the account.
    expect((await login(urls[0]!, email, 'wrong guess')).status).toBe(401);
    expect(await failureRow(db, email)).toEqual({ failures: 1, locked: false });
    expect((await login(urls[1]!, email, PASSWORD)).status).toBe(303);
  });

  it('a lock and its count decay too, once the reset time has passed since the lock', async () => {
    const { urls, db } = tiers();
    const email = newEmail();
    await register(urls[0]!, email);
    for (let i = 0; i < THRESHOLD; i++) await login(urls[0]!, email, 'wrong guess');
    expect(await failureRow(db, email)).toEqual({ failures: THRESHOLD, locked: true });
    await db.readWrite`
      UPDATE login_failures SET updated_at = updated_at - interval '13 hours', locked_until = locked_until - interval '13 hours'
      WHERE email = ${email}`;
    expect((await login(urls[1]!, email, PASSWORD)).status).toBe(303);
  });
});

describe('the per-IP budget', () => {
  const LIMIT = 4;
  const OVER = 3;
  const tiers = withTiers({ RATE_LIMIT_PER_MINUTE: String(LIMIT) });

  it('is shared by both Front Ends: LIMIT + k attempts split across them get exactly k 429s', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + OVER; i++) statuses.push((await login(tiers().urls[i % 2]!, newEmail(), 'wrong guess')).status);
    expect(statuses).toEqual([...Array(LIMIT).fill(401), ...Array(OVER).fill(429)]);
    const limited = await login(tiers().urls[1]!, newEmail(), 'wrong guess');
    expect(limited.status).toBe(429);
    expect(limited.body).toMatch(/too many/i);
  });

  it('housekeeping can drop windows that ended; a running one stays', async () => {
    const { db } = tiers();
    await db.readWrite`
      INSERT INTO login_ip_attempts (ip, window_start, attempts)
      VALUES ('198.51.100.9', now() - interval '2 minutes', 7), ('198.51.100.10', now(), 1)`;
    expect(await pruneIpAttempts(db)).toBeGreaterThanOrEqual(1);
    const left = (await db.readWrite<{ ip: string }[]>`SELECT ip FROM login_ip_attempts`).map((r) => r.ip);
    expect(left).toContain('198.51.100.10');
    expect(left).not.toContain('198.51.100.9');
  });
});

describe('the per-IP budget, for registrations', () => {
  const LIMIT = 4;
  const tiers = withTiers({ RATE_LIMIT_PER_MINUTE: String(LIMIT) });

  it('counts registrations in the same budget', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT; i++) {
      const url = tiers().urls[i % 2]!;
      const page = i % 2 ? await login(url, newEmail(), 'wrong guess') : await new FormClient(url).submit('/register', { email: newEmail(), password: PASSWORD });
      statuses.push(page.status);
    }
    expect(statuses).toEqual([303, 401, 303, 401]);
    const email = newEmail();
    expect((await new FormClient(tiers().urls[1]!).submit('/register', { email, password: PASSWORD })).status).toBe(429);
    expect(await tiers().db.readWrite`SELECT 1 FROM users WHERE email = ${email}`).toHaveLength(0);
  });
});
