import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectDatabase, migrate, pruneProcessedRequests, pruneSessions, type Database } from '@gatehouse/database';
import type { AmqpRpcClient } from '@gatehouse/messaging';
import { createTestDatabase } from '../harness/postgres.js';
import { startBackEndFixture, type BackEndFixture } from '../support/back-end-fixture.js';
import { newEmail } from '../support/test-ids.js';

describe('migrations', () => {
  it('create the schema once, and running them again (even concurrently) changes nothing', async () => {
    const db = connectDatabase({ url: await createTestDatabase(inject('postgresUrl')) });
    try {
      const runs = await Promise.all([migrate(db.readWrite), migrate(db.readWrite), migrate(db.readWrite)]);
      expect(runs.flat().sort()).toEqual([
        '0001_users.sql',
        '0002_processed_requests.sql',
        '0003_sessions_lockout_audit.sql',
        '0004_processed_requests_claim.sql',
        '0005_login_attempts.sql',
        '0006_one_statement_writes.sql',
        '0007_refunds_and_devices.sql',
        '0008_account_tokens_and_outbox.sql',
        '0009_email_verification.sql',
        '0010_second_factors.sql',
        '0011_passkeys.sql',
        '0012_register_with_link.sql',
      ]);
      expect(await migrate(db.readWrite)).toEqual([]);
      const columns = await db.readWrite<{ column_name: string }[]>`
        SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY ordinal_position`;
      expect(columns.map((c) => c.column_name)).toEqual(['email', 'hash', 'created_at', 'email_verified_at']);
      await db.readWrite`INSERT INTO users (email, hash) VALUES ('Case@Example.com', 'h')`;
      await expect(db.readWrite`INSERT INTO users (email, hash) VALUES ('case@example.COM', 'h')`).rejects.toThrow(/unique/);
    } finally {
      await db.close();
    }
  });
});

describe('housekeeping', () => {
  it('deletes idempotency records older than a day and sessions ended more than a day ago', async () => {
    const db = connectDatabase({ url: await createTestDatabase(inject('postgresUrl')) });
    try {
      await migrate(db.readWrite);
      await db.readWrite`INSERT INTO processed_requests (request_id, reply, processed_at) VALUES
        ('old', '{}', now() - interval '25 hours'), ('new', '{}', now())`;
      await db.readWrite`INSERT INTO sessions (token_hash, email, expires_at, revoked_at) VALUES
        ('expired', 'a@b.io', now() - interval '2 days', NULL),
        ('revoked', 'a@b.io', now() + interval '1 hour', now() - interval '2 days'),
        ('live', 'a@b.io', now() + interval '1 hour', NULL),
        ('just-revoked', 'a@b.io', now() + interval '1 hour', now())`;
      expect(await pruneProcessedRequests(db)).toBe(1);
      expect(await pruneSessions(db)).toBe(2);
      const left = await db.readWrite<{ token_hash: string }[]>`SELECT token_hash FROM sessions ORDER BY token_hash`;
      expect(left.map((r) => r.token_hash)).toEqual(['just-revoked', 'live']);
    } finally {
      await db.close();
    }
  });
});

describe('read/write split (chapter 10)', () => {
  // Two databases stand in for the primary and a standby, so we can see which one each action uses.
  let fixture: BackEndFixture;
  let primary: Database;
  let standby: Database;
  let rpc: AmqpRpcClient;

  beforeAll(async () => {
    fixture = await startBackEndFixture('split-test', { laggingStandby: true });
    ({ primary, rpc } = fixture);
    standby = fixture.standby!;
  });

  afterAll(() => fixture?.stop());

  // Each test makes its own user, so any one of them can run alone, in any order.
  it('writes REGISTER through DATABASE_URL', async () => {
    const email = newEmail('writer');
    expect(await rpc.call({ action: 'REGISTER', data: { email, hash: 'w' } })).toEqual({ success: true });
    expect(await primary.readWrite`SELECT hash FROM users WHERE email = ${email}`).toHaveLength(1);
    expect(await standby.readWrite`SELECT hash FROM users WHERE email = ${email}`).toHaveLength(0);
  });

  it('reads GETHASH through DATABASE_READ_URL', async () => {
    const email = newEmail('reader');
    await standby.readWrite`INSERT INTO users (email, hash) VALUES (${email}, 'from-standby')`;
    expect(await rpc.call({ action: 'GETHASH', data: { email } })).toEqual({ success: true, hash: 'from-standby' });
  });

  it('asks the primary when a lagging standby has not seen the user yet', async () => {
    // Registered on the "primary" only, as right after a registration.
    const email = newEmail('lagged');
    await primary.readWrite`INSERT INTO users (email, hash) VALUES (${email}, 'w')`;
    expect(await rpc.call({ action: 'GETHASH', data: { email } })).toEqual({ success: true, hash: 'w' });
  });
});
