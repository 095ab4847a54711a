import { normalizeEmail, type Reply } from '@gatehouse/protocol';
import type { Database } from './connect.js';
import type { ClientContext } from './audit-events.js';
import type { StoredOutcome } from './processed-requests.js';
import { lockDelayMs, type LockoutPolicy } from './login-failures.js';

/** What LOGIN_ATTEMPT decided, before the password is checked. */
export type AttemptDecision =
  | { outcome: 'rate_limited' }
  /** The account was already locked; this attempt was not counted. */
  | { outcome: 'locked'; lockedUntil: Date }
  /** Counted; `lockedUntil` is set when this attempt reached the threshold: later ones wait, this one is checked. */
  | { outcome: 'allowed'; failures?: number; lockedUntil?: Date; hash?: string; secondFactor?: boolean }
  /** A redelivered request whose first copy a Back End from before migration 0006 answered. */
  | { outcome: 'stored'; reply: Reply };

export interface LoginAttempt {
  requestId: string | undefined;
  email: string;
  client: ClientContext;
  /** Attempts per client IP per minute; unset (or no IP), the IP is not counted. */
  ipLimitPerMinute: number | undefined;
  /** The Front End's id for this login: LOGIN_ABANDONED refunds it by this id. Unset, it cannot be refunded. */
  attemptId?: string;
  /** A trusted device's hash: the attempt counts on that device's own budget, not the untrusted clients'. */
  device?: string;
}

/**
 * Counts a login attempt as a failure before its password is checked, so parallel attempts
 * cannot all see "not locked": the upsert's row lock orders them, and only `threshold` of them
 * get through before the lock. One statement on the primary (attempt_login, migrations 0006 and
 * 0007), after the IP's budget. A successful login clears the count (create_session). An attempt
 * on a locked account is not counted; a count idle past `resetAfterMs` starts over. A trusted
 * device's attempt counts on its own budget; with an `attemptId` it stays open for a refund.
 */
export async function attemptLogin(db: Database, a: LoginAttempt, policy: LockoutPolicy): Promise<AttemptDecision> {
  const ip = a.client.ip ?? null;
  const ipLimit = ip === null ? null : (a.ipLimitPerMinute ?? null);
  const key = normalizeEmail(a.email);
  // The hash comes in the same round trip, read after the decision (only for an allowed attempt),
  // so the stored outcome for a redelivery never holds it.
  // So is whether a second factor is due after the password (has_second_factor, migration 0010).
  const [row] = await db.primary((sql) => sql<{ decision: Record<string, unknown>; hash: string | null; second_factor: boolean | null }[]>`
    SELECT d AS decision, CASE WHEN d->>'outcome' = 'allowed' THEN (SELECT hash FROM users WHERE lower(email) = ${key}) END AS hash,
      CASE WHEN d->>'outcome' = 'allowed' THEN has_second_factor(${key}) END AS second_factor
    FROM attempt_login(${a.requestId ?? null}, ${key}, ${ip}, ${a.client.userAgent ?? null}, ${ipLimit},
      ${policy.threshold}, ${arrayLiteral(lockLadderSeconds(policy))}::double precision[], ${policy.resetAfterMs / 1000},
      ${a.attemptId ?? null}::text, ${a.device ?? null}::text) AS d`);
  const { outcome, lockedUntil, failures } = row!.decision;
  if (outcome === undefined) return { outcome: 'stored', reply: row!.decision as Reply };
  const until = typeof lockedUntil === 'string' ? { lockedUntil: new Date(lockedUntil) } : {};
  const hash = row!.hash === null ? {} : { hash: row!.hash };
  const factor = row!.second_factor ? { secondFactor: true } : {};
  return { outcome, ...until, ...hash, ...factor, ...(typeof failures === 'number' ? { failures } : {}) } as AttemptDecision;
}

/** A login that ended without a verdict: what its LOGIN_ATTEMPT counted is undone (abandon_login, migration 0007). */
export async function abandonLogin(db: Database, requestId: string | undefined, attemptId: string, email: string): Promise<StoredOutcome<'refunded' | 'not_open'>> {
  const [row] = await db.primary((sql) => sql<{ outcome: StoredOutcome<'refunded' | 'not_open'> }[]>`
    SELECT abandon_login(${requestId ?? null}, ${attemptId}, ${normalizeEmail(email)}) AS outcome`);
  return row!.outcome;
}

/**
 * Numbers as a PostgreSQL array literal, sent as one text parameter and cast in the query: the
 * pools run without postgres.js's array types (fetch_types: false, see connect.ts).
 */
export function arrayLiteral(numbers: readonly number[]): string {
  if (!numbers.every(Number.isFinite)) throw new Error('arrayLiteral takes finite numbers only');
  return `{${numbers.join(',')}}`;
}

/** The lock after the threshold-th failure in a row, the next, and so on, until it stops growing. */
export function lockLadderSeconds(policy: LockoutPolicy): number[] {
  const ladder = [lockDelayMs(policy.threshold, policy) / 1000];
  while (ladder.length < 32) {
    const next = lockDelayMs(policy.threshold + ladder.length, policy) / 1000;
    if (next === ladder.at(-1)) break;
    ladder.push(next);
  }
  return ladder;
}

/** Windows that ended no longer limit anyone; for housekeeping. */
export async function pruneIpAttempts(db: Database): Promise<number> {
  const rows = await db.primary((sql) => sql`DELETE FROM login_ip_attempts WHERE window_start <= now() - interval '1 minute'`);
  return rows.count;
}
