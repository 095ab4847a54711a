import type { TransactionSql } from 'postgres';
import { normalizeEmail } from '@gatehouse/protocol';
import type { Database } from './connect.js';
import { decayed, lockDelayMs, type LockoutPolicy } from './login-failures.js';

/** What reserving an attempt decided: refused (the account was already locked) or allowed. */
export type AttemptSlot =
  | { allowed: false; lockedUntil: Date }
  /** `lockedUntil` is set when this attempt reached the threshold: later ones wait, this one is checked. */
  | { allowed: true; failures: number; lockedUntil?: Date };

/**
 * Counts a login attempt as a failure before its password is checked, so parallel attempts
 * cannot all see "not locked": the upsert's row lock orders them, and only `threshold` of
 * them get through before the lock. A successful login clears the count (resetFailures).
 * An attempt on a locked account is not counted; a count idle past `resetAfterMs` starts over.
 */
export async function reserveAttempt(tx: TransactionSql, email: string, policy: LockoutPolicy): Promise<AttemptSlot> {
  const key = normalizeEmail(email);
  const [row] = await tx<{ failures: number; locked: boolean; locked_until: Date | null }[]>`
    INSERT INTO login_failures AS f (email, failures) VALUES (${key}, 1)
    ON CONFLICT (email) DO UPDATE SET
      failures = CASE
        WHEN f.locked_until > now() THEN f.failures
        WHEN ${decayed(tx, policy)} THEN 1
        ELSE f.failures + 1 END,
      updated_at = CASE WHEN f.locked_until > now() THEN f.updated_at ELSE now() END
    RETURNING failures, coalesce(locked_until > now(), false) AS locked, locked_until`;
  if (row!.locked) return { allowed: false, lockedUntil: row!.locked_until! };
  const delay = lockDelayMs(row!.failures, policy);
  if (delay === 0) return { allowed: true, failures: row!.failures };
  const [locked] = await tx<{ locked_until: Date }[]>`
    UPDATE login_failures SET locked_until = now() + make_interval(secs => ${delay / 1000})
    WHERE email = ${key} RETURNING locked_until`;
  return { allowed: true, failures: row!.failures, lockedUntil: locked!.locked_until };
}

/**
 * Counts one attempt from `ip` and returns the count in its window: a minute that starts at
 * the window's first attempt. One row per IP in PostgreSQL, so every Front End shares it.
 */
export async function countIpAttempt(tx: TransactionSql, ip: string): Promise<number> {
  const [row] = await tx<{ attempts: number }[]>`SELECT count_ip_attempt(${ip}) AS attempts`;
  return row!.attempts;
}

/** Windows that ended no longer limit anyone; for housekeeping. */
export async function pruneIpAttempts(db: Database): Promise<number> {
  const rows = await db.primary((sql) => sql`DELETE FROM login_ip_attempts WHERE window_start <= now() - interval '1 minute'`);
  return rows.count;
}
