import type { Sql, TransactionSql } from 'postgres';
import { normalizeEmail } from '@gatehouse/protocol';
import type { Database } from './connect.js';
import { readPrimaryElseStandby } from './primary-else-standby.js';

export interface LockoutPolicy {
  /** Failures in a row before the first lock. */
  threshold: number;
  /** The first lock's length; each further failure doubles it. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failures decay: with no failure and no lock for this long, the count starts again from zero. */
  resetAfterMs: number;
}

/** The reset time is Keycloak's default (12 h): longer than any lock, so waiting out locks never resets the doubling. */
export const DEFAULT_LOCKOUT: LockoutPolicy = { threshold: 5, baseDelayMs: 60_000, maxDelayMs: 15 * 60_000, resetAfterMs: 12 * 3_600_000 };

/** How long the account locks after its `failures`-th failure in a row (0 below the threshold). */
export function lockDelayMs(failures: number, policy: LockoutPolicy): number {
  if (failures < policy.threshold) return 0;
  const doublings = Math.min(failures - policy.threshold, 30);
  return Math.min(policy.baseDelayMs * 2 ** doublings, policy.maxDelayMs);
}

/** Counts one failure and returns the lock it causes, if any. One statement, so replicas cannot race. */
export async function countFailure(tx: TransactionSql, email: string, policy: LockoutPolicy): Promise<{ failures: number; lockedUntil?: Date }> {
  const [row] = await tx<{ failures: number }[]>`
    INSERT INTO login_failures AS f (email, failures) VALUES (${normalizeEmail(email)}, 1)
    ON CONFLICT (email) DO UPDATE SET failures = CASE WHEN ${decayed(tx, policy)} THEN 1 ELSE f.failures + 1 END, updated_at = now()
    RETURNING failures`;
  const failures = row!.failures;
  const delay = lockDelayMs(failures, policy);
  if (delay === 0) return { failures };
  const [locked] = await tx<{ locked_until: Date }[]>`
    UPDATE login_failures SET locked_until = now() + make_interval(secs => ${delay / 1000})
    WHERE email = ${normalizeEmail(email)} RETURNING locked_until`;
  return { failures, lockedUntil: locked!.locked_until };
}

/** True for a login_failures row (aliased `f`) with no failure and no lock within the reset time. */
export function decayed(sql: Sql | TransactionSql, policy: LockoutPolicy) {
  return sql`failures_decayed(f.updated_at, f.locked_until, ${policy.resetAfterMs / 1000})`;
}

/**
 * The end of the account's current lock, if it is locked now. Read on the primary, so a new lock
 * holds at once. While the primary cannot answer (a failover), the standby's copy is used: no
 * lock can be set or lifted without the primary then, so it is as fresh as any answer can be,
 * and logins keep being checked instead of failing.
 */
export async function lockedUntil(db: Database, email: string): Promise<Date | undefined> {
  const query = (sql: Sql) => sql<{ locked_until: Date }[]>`
    SELECT locked_until FROM login_failures
    WHERE email = ${normalizeEmail(email)} AND locked_until > now()`;
  return (await readPrimaryElseStandby(db, query))[0]?.locked_until;
}
