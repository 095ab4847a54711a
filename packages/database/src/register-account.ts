import { normalizeEmail } from '@gatehouse/protocol';
import { randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';
import type { Database } from './connect.js';
import type { VerificationPolicy } from './email-verification.js';
import { newLinkToken, tokenHashOf } from './account-links.js';
import type { ClientContext } from './audit-events.js';
import type { StoredOutcome } from './processed-requests.js';

export type RegisterOutcome = 'created' | 'created_with_session' | 'exists' | 'rate_limited';

export interface Registration {
  /** The request's idempotency key: a redelivered copy gets the first copy's outcome. */
  requestId: string | undefined;
  email: string;
  hash: string;
  /** With it, the account's first session starts in the same transaction. */
  tokenHash: string | undefined;
  sessionSeconds: number;
  client: ClientContext;
  /** Attempts per client IP per minute; unset (or no IP), the IP is not counted. */
  ipLimitPerMinute: number | undefined;
}

/** What REGISTER did, and the id of the verification mail it queued (to relay right away). */
export interface Registered {
  outcome: StoredOutcome<RegisterOutcome>;
  mailId?: string;
}

/**
 * REGISTER as one statement on the primary (register_account, migration 0006): the IP's
 * budget, the user, its audit row, its session and the stored outcome in one round trip. With
 * `verify`, the new account's verification link and its mail too (register_account_with_link,
 * migration 0012), still one statement.
 */
export async function registerAccount(db: Database, r: Registration, verify?: VerificationPolicy): Promise<Registered> {
  const ip = r.client.ip ?? null;
  const ipLimit = ip === null ? null : (r.ipLimitPerMinute ?? null);
  // register_account's arguments, which register_account_with_link begins with.
  const account = (sql: Sql) => sql`
    ${r.requestId ?? null}, ${r.email.trim()}, ${normalizeEmail(r.email)}, ${r.hash},
    ${r.tokenHash ?? null}, ${r.sessionSeconds}, ${ip}, ${r.client.userAgent ?? null}, ${ipLimit}`;
  if (!verify) {
    const [row] = await db.primary((sql) => sql<{ outcome: StoredOutcome<RegisterOutcome> }[]>`SELECT register_account(${account(sql)}) AS outcome`);
    return { outcome: row!.outcome };
  }
  const token = newLinkToken();
  const mailId = randomUUID();
  const [row] = await db.primary((sql) => sql<{ r: { outcome: StoredOutcome<RegisterOutcome>; queued: boolean } }[]>`
    SELECT register_account_with_link(${account(sql)}, ${token}, ${tokenHashOf(token)}, ${verify.ttlHours}, ${mailId}) AS r`);
  return row!.r.queued ? { outcome: row!.r.outcome, mailId } : { outcome: row!.r.outcome };
}
