import type { Database } from './connect.js';

export interface RetentionPolicy {
  /** auth_events older than this many days are deleted. */
  auditDays: number;
  /** A login_failures row untouched for this long, and not locked now, counts for nothing any more. */
  loginFailureWindowMs: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { auditDays: 90, loginFailureWindowMs: 15 * 60_000 };

/** The audit trail is kept for investigations, but not for ever: it holds emails and IPs. */
export async function pruneAuthEvents(db: Database, policy: RetentionPolicy): Promise<number> {
  const rows = await db.primary((sql) => sql`
    DELETE FROM auth_events WHERE at < now() - make_interval(days => ${policy.auditDays})`);
  return rows.count;
}

/**
 * Failure counters of accounts nobody has attacked for a lockout window. A lock still running
 * is never removed, so pruning cannot end a lock early.
 */
export async function pruneLoginFailures(db: Database, policy: RetentionPolicy): Promise<number> {
  const seconds = policy.loginFailureWindowMs / 1000;
  const untrusted = await db.primary((sql) => sql`
    DELETE FROM login_failures
    WHERE (locked_until IS NULL OR locked_until < now()) AND updated_at < now() - make_interval(secs => ${seconds})`);
  const devices = await db.primary((sql) => sql`
    DELETE FROM login_device_failures
    WHERE (locked_until IS NULL OR locked_until < now()) AND updated_at < now() - make_interval(secs => ${seconds})`);
  return untrusted.count + devices.count;
}

/**
 * A login's attempt stays open only until its login ends (seconds; the RPC timeout bounds it).
 * An hour later nobody will refund it, and each open row holds an email and an IP.
 */
export async function pruneOpenAttempts(db: Database): Promise<number> {
  const rows = await db.primary((sql) => sql`DELETE FROM login_attempts_open WHERE created_at < now() - interval '1 hour'`);
  return rows.count;
}
