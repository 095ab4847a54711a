import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, recentEvents, UsersRepository, type Database } from '@gatehouse/database';
import type { AmqpRpcClient } from '@gatehouse/messaging';
import { startBackEndFixture, type BackEndFixture } from '../support/back-end-fixture.js';
import { SOURCE_CONDITION, spawnProcess, TSX } from '../support/service-process.js';
import { newEmail, newTokenHash } from '../support/test-ids.js';

// The primary holds everything; the "standby" never catches up, the worst case of replication lag.
let fixture: BackEndFixture;
let primary: Database;
let standby: Database;
let rpc: AmqpRpcClient;
const client = { ip: '203.0.113.7', userAgent: 'vitest' };


beforeAll(async () => {
  fixture = await startBackEndFixture('sessions-test', { laggingStandby: true });
  ({ primary, rpc } = fixture);
  standby = fixture.standby!;
});

afterAll(() => fixture?.stop());

describe('server-side sessions', () => {
  it('finds a session created a moment ago although the standby has not seen it', async () => {
    const email = newEmail();
    const tokenHash = newTokenHash();
    expect(await rpc.call({ action: 'SESSION_CREATE', data: { email, tokenHash, client } })).toEqual({ success: true });
    // No users row behind this session: nothing to verify, so it counts as verified.
    expect(await rpc.call({ action: 'SESSION_GET', data: { tokenHash } })).toEqual({ success: true, email, verified: true });
    expect(await rpc.call({ action: 'SESSION_GET', data: { tokenHash: newTokenHash() } })).toEqual({ success: false });
  });

  it('stores only the hash of the id, with the client that made it', async () => {
    const tokenHash = newTokenHash();
    await rpc.call({ action: 'SESSION_CREATE', data: { email: newEmail(), tokenHash, client } });
    const [row] = await primary.readWrite`SELECT * FROM sessions WHERE token_hash = ${tokenHash}`;
    expect(row).toMatchObject({ token_hash: tokenHash, ip: client.ip, user_agent: 'vitest', revoked_at: null });
    expect(Object.keys(row!)).not.toContain('token');
  });

  it('ends a session at logout, and audits it', async () => {
    const email = newEmail();
    const tokenHash = newTokenHash();
    await rpc.call({ action: 'SESSION_CREATE', data: { email, tokenHash, client } });
    expect(await rpc.call({ action: 'SESSION_REVOKE', data: { tokenHash, client } })).toEqual({ success: true });
    expect(await rpc.call({ action: 'SESSION_GET', data: { tokenHash } })).toEqual({ success: false });
    const events = await recentEvents(primary.readWrite, { email, limit: 10 });
    expect(events.map((e) => e.event)).toEqual(['logout', 'login_success']);
    expect(events[0]).toMatchObject({ ip: client.ip, user_agent: 'vitest' });
  });

  it('ends every session of the user when asked to log out everywhere', async () => {
    const email = newEmail();
    const [phone, laptop, other] = [newTokenHash(), newTokenHash(), newTokenHash()];
    await rpc.call({ action: 'SESSION_CREATE', data: { email, tokenHash: phone! } });
    await rpc.call({ action: 'SESSION_CREATE', data: { email: email.toUpperCase(), tokenHash: laptop! } });
    await rpc.call({ action: 'SESSION_CREATE', data: { email: newEmail(), tokenHash: other! } });
    expect(await rpc.call({ action: 'SESSION_REVOKE_ALL', data: { tokenHash: phone!, client } })).toEqual({ success: true, revoked: 2 });
    expect(await rpc.call({ action: 'SESSION_GET', data: { tokenHash: laptop! } })).toEqual({ success: false });
    expect(await rpc.call({ action: 'SESSION_GET', data: { tokenHash: other! } })).toMatchObject({ success: true });
  });

  it('lets only a live session log out everywhere: an expired or idle one ends nothing', async () => {
    const email = newEmail();
    const [live, idle, old] = [newTokenHash(), newTokenHash(), newTokenHash()];
    for (const tokenHash of [live, idle, old]) await rpc.call({ action: 'SESSION_CREATE', data: { email, tokenHash: tokenHash! } });
    await primary.readWrite`UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE token_hash = ${idle!}`;
    await primary.readWrite`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = ${old!}`;
    for (const tokenHash of [idle, old]) {
      expect(await rpc.call({ action: 'SESSION_REVOKE_ALL', data: { tokenHash: tokenHash!, client } })).toEqual({ success: true, revoked: 0 });
    }
    expect(await rpc.call({ action: 'SESSION_GET', data: { tokenHash: live! } })).toEqual({ success: true, email, verified: true });
    expect((await recentEvents(primary.readWrite, { email, limit: 10 })).map((e) => e.event)).not.toContain('logout_everywhere');
  });

  it('expires a session idle for more than 30 minutes, and one older than 12 hours', async () => {
    const [idle, old] = [newTokenHash(), newTokenHash()];
    await rpc.call({ action: 'SESSION_CREATE', data: { email: newEmail(), tokenHash: idle! } });
    await rpc.call({ action: 'SESSION_CREATE', data: { email: newEmail(), tokenHash: old! } });
    await primary.readWrite`UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE token_hash = ${idle!}`;
    await primary.readWrite`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = ${old!}`;
    expect(await rpc.call({ action: 'SESSION_GET', data: { tokenHash: idle! } })).toEqual({ success: false });
    expect(await rpc.call({ action: 'SESSION_GET', data: { tokenHash: old! } })).toEqual({ success: false });
  });

  it('sets the absolute expiry 12 hours after creation', async () => {
    const tokenHash = newTokenHash();
    await rpc.call({ action: 'SESSION_CREATE', data: { email: newEmail(), tokenHash } });
    const [row] = await primary.readWrite<{ hours: number }[]>`
      SELECT extract(epoch FROM expires_at - created_at) / 3600 AS hours FROM sessions WHERE token_hash = ${tokenHash}`;
    expect(Number(row!.hours)).toBeCloseTo(12, 2);
  });
});

describe('per-account lockout', () => {
  const fail = (email: string) => rpc.call({ action: 'LOGIN_FAILED', data: { email, client } });

  it('locks after 5 failures in a row, reports it with GETHASH, and a login resets it', async () => {
    const email = newEmail();
    await rpc.call({ action: 'REGISTER', data: { email, hash: 'h', client } });
    for (let i = 0; i < 4; i++) expect(await fail(email)).toEqual({ success: true });
    const fifth = await fail(email.toUpperCase());
    expect(fifth.lockedUntil).toBeDefined();
    const lockMs = Date.parse(fifth.lockedUntil!) - Date.now();
    expect(lockMs).toBeGreaterThan(50_000);
    expect(lockMs).toBeLessThanOrEqual(60_000);

    // The lock is read on the primary, although the lagging "standby" has not seen it.
    expect(await rpc.call({ action: 'GETHASH', data: { email } })).toEqual({ success: true, hash: 'h', lockedUntil: fifth.lockedUntil });

    const sixth = await fail(email);
    expect(Date.parse(sixth.lockedUntil!) - Date.now()).toBeGreaterThan(110_000);

    await rpc.call({ action: 'SESSION_CREATE', data: { email, tokenHash: newTokenHash(), client } });
    expect(await primary.readWrite`SELECT 1 FROM login_failures WHERE email = ${email}`).toHaveLength(0);
    const events = (await recentEvents(primary.readWrite, { email, limit: 20 })).map((e) => e.event);
    expect(events).toEqual(['login_success', 'lockout', 'login_failure', 'lockout', ...Array(5).fill('login_failure'), 'register']);
  });

  it('caps the lock at 15 minutes', async () => {
    const email = newEmail();
    let last = {} as { lockedUntil?: string };
    for (let i = 0; i < 12; i++) last = await fail(email);
    const lockMs = Date.parse(last.lockedUntil!) - Date.now();
    expect(lockMs).toBeGreaterThan(14 * 60_000);
    expect(lockMs).toBeLessThanOrEqual(15 * 60_000);
  });
});

describe('hash upgrades', () => {
  it('replaces the stored hash', async () => {
    const email = newEmail();
    await rpc.call({ action: 'REGISTER', data: { email, hash: 'old' } });
    expect(await rpc.call({ action: 'UPDATE_HASH', data: { email, hash: 'new' } })).toEqual({ success: true });
    expect(await primary.readWrite`SELECT hash FROM users WHERE email = ${email}`).toEqual([{ hash: 'new' }]);
    expect(await rpc.call({ action: 'UPDATE_HASH', data: { email: newEmail(), hash: 'x' } })).toEqual({ success: false });
  });
});

describe('npm run audit', () => {
  const audit = async (args: string[], env: Record<string, string> = { DATABASE_URL: fixture.databaseUrl }) => {
    const run = spawnProcess(TSX, [SOURCE_CONDITION, 'services/back-end/src/audit-cli.ts', ...args], env);
    return { code: await run.exited, output: run.output() };
  };

  /** A well-formed hash's digest part, to look for in the output. */
  const SECRET_DIGEST = 'c2VjcmV0aGFzaHNlY3JldGhhc2g';

  it('prints the recent events of one email, newest first, without secrets', async () => {
    const email = newEmail();
    await rpc.call({ action: 'REGISTER', data: { email, hash: `$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$${SECRET_DIGEST}`, client } });
    await rpc.call({ action: 'LOGIN_FAILED', data: { email, client } });
    const tokenHash = newTokenHash();
    await rpc.call({ action: 'SESSION_CREATE', data: { email, tokenHash, client } });
    const { code, output } = await audit(['--email', email]);
    expect(code).toBe(0);
    const lines = output.trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[1])).toEqual(['login_success', 'login_failure', 'register']);
    expect(lines[0]).toContain(client.ip);
    expect(output).not.toMatch(/argon2/);
    expect(output).not.toContain(SECRET_DIGEST);
    expect(output).not.toContain(tokenHash);

    const json = await audit(['--email', email, '--json', '--limit', '1']);
    expect(JSON.parse(json.output)).toEqual([expect.objectContaining({ event: 'login_success', email, ip: client.ip })]);
  });

  it.each([
    [['--limit', 'many'], /--limit must be a whole number/],
    [['--email', 'not-an-email'], /email is not a valid address/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
  ])('answers bad arguments %j with a clear message and exit code 2', async (args, message) => {
    const { code, output } = await audit(args);
    expect(code).toBe(2);
    expect(output).toMatch(message);
    expect(output).toContain('Usage: npm run audit');
  });
});

describe('while the primary is down', () => {
  it('still reads hashes and locks from the standby, but sessions need the primary', async () => {
    const email = newEmail();
    const tokenHash = newTokenHash();
    await rpc.call({ action: 'REGISTER', data: { email, hash: 'h-standby' } });
    await rpc.call({ action: 'SESSION_CREATE', data: { email, tokenHash } });
    // Locked on the primary: five failures in a row.
    let locked: { lockedUntil?: string } = {};
    for (let i = 0; i < 5; i++) locked = await rpc.call({ action: 'LOGIN_FAILED', data: { email, client } });
    expect(locked.lockedUntil).toBeDefined();
    // Replicate by hand, then take the primary away: no new connections, existing ones killed.
    for (const table of ['users', 'sessions', 'login_failures'] as const) {
      const rows = await primary.readWrite`SELECT * FROM ${primary.readWrite(table)} WHERE lower(email) = ${email}`;
      await standby.readWrite`INSERT INTO ${standby.readWrite(table)} ${standby.readWrite(rows)}`;
    }
    const name = new URL(fixture.databaseUrl).pathname.slice(1);
    await standby.readWrite`ALTER DATABASE ${standby.readWrite(name)} ALLOW_CONNECTIONS false`;
    await standby.readWrite`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${name} AND pid <> pg_backend_pid()`;
    const split = connectDatabase({ url: fixture.databaseUrl, readUrl: fixture.standbyUrl, max: 1 });
    try {
      await expect(split.readWrite`SELECT 1`).rejects.toThrow(/not currently accepting connections/);
      expect(await new UsersRepository(split).findHash(email)).toBe('h-standby');
      // A session revoked on the primary must not live on in a standby's copy, so no answer at all.
      await expect(rpc.call({ action: 'SESSION_GET', data: { tokenHash } }, { timeoutMs: 3000 })).rejects.toThrow(/No reply/);
      // Login checks keep working, the lock included: none can be set or lifted without the primary anyway.
      const check = await rpc.call({ action: 'GETHASH', data: { email } }, { timeoutMs: 8000 });
      expect(check).toEqual({ success: true, hash: 'h-standby', lockedUntil: locked.lockedUntil });
    } finally {
      await split.close();
      await standby.readWrite`ALTER DATABASE ${standby.readWrite(name)} ALLOW_CONNECTIONS true`;
    }
  });
});
