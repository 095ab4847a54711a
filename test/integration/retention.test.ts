import pino from 'pino';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { connectDatabase, migrate, type Database } from '@gatehouse/database';
import { retentionPolicy, startHousekeeping } from '@gatehouse/back-end';
import { createTestDatabase } from '../harness/postgres.js';

// Housekeeping prunes the audit trail after AUDIT_RETENTION_DAYS and failure counters (the
// untrusted clients' and the devices') once their lock has ended and nothing happened for a
// lockout window; it never ends a running lock. A login's open attempt goes after an hour.
let db: Database;

beforeAll(async () => {
  db = connectDatabase({ url: await createTestDatabase(inject('postgresUrl')) });
  await migrate(db.readWrite);
});
afterAll(() => db?.close());

/** Housekeeping's first run starts at once; the timer is stopped so no second one follows. */
function housekeepOnce(auditDays: number): void {
  const lockout = { threshold: 5, baseDelayMs: 60_000, maxDelayMs: 15 * 60_000 };
  startHousekeeping(db, pino({ level: 'silent' }), retentionPolicy(auditDays, lockout))();
}

it('deletes audit events older than the retention and stale failure counters, and keeps the rest', async () => {
  await db.readWrite`INSERT INTO auth_events (event, email, at) VALUES
    ('login_failure', 'old@example.com', now() - interval '31 days'),
    ('login_success', 'recent@example.com', now() - interval '29 days'),
    ('register', 'new@example.com', now())`;
  await db.readWrite`INSERT INTO login_failures (email, failures, locked_until, updated_at) VALUES
    ('stale@example.com', 3, NULL, now() - interval '16 minutes'),
    ('lock-ended@example.com', 9, now() - interval '1 minute', now() - interval '16 minutes'),
    ('recent@example.com', 2, NULL, now() - interval '5 minutes'),
    ('locked@example.com', 40, now() + interval '1 hour', now() - interval '2 hours')`;

  await db.readWrite`INSERT INTO login_device_failures (email, device, failures, locked_until, updated_at) VALUES
    ('stale@example.com', ${'a'.repeat(64)}, 3, NULL, now() - interval '16 minutes'),
    ('locked@example.com', ${'b'.repeat(64)}, 5, now() + interval '1 hour', now() - interval '2 hours')`;
  await db.readWrite`INSERT INTO login_attempts_open (attempt_id, email, counted, created_at) VALUES
    ('attempt-of-two-hours-ago', 'old@example.com', true, now() - interval '2 hours'),
    ('attempt-of-a-minute-ago', 'recent@example.com', true, now() - interval '1 minute')`;

  housekeepOnce(30);
  // The open attempts are pruned last, so once they are done everything else is too.
  await expect.poll(() => emails('login_attempts_open'), { timeout: 30_000 }).toEqual(['recent@example.com']);
  expect(await emails('login_failures')).toEqual(['locked@example.com', 'recent@example.com']);
  expect(await emails('login_device_failures')).toEqual(['locked@example.com']);
  expect(await emails('auth_events')).toEqual(['new@example.com', 'recent@example.com']);
});

async function emails(table: 'auth_events' | 'login_failures' | 'login_device_failures' | 'login_attempts_open'): Promise<string[]> {
  const rows = await db.readWrite<{ email: string }[]>`SELECT email FROM ${db.readWrite(table)} ORDER BY email`;
  return rows.map((r) => r.email);
}
