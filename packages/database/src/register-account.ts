import { normalizeEmail } from '@gatehouse/protocol';
import type { Sql, TransactionSql } from 'postgres';
import type { Database } from './connect.js';
import { verifyNewAccount, type VerificationPolicy } from './email-verification.js';
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

/**
 * REGISTER as one statement on the primary (register_account, migration 0006): the IP's
 * budget, the user, its audit row, its session and the stored outcome in one round trip. With
 * `verify`, in one transaction with the new account's verification link and its mail.
 */
export async function registerAccount(db: Database, r: Registration, verify?: VerificationPolicy): Promise<StoredOutcome<RegisterOutcome>> {
  if (!verify) return db.primary((sql) => registerIn(sql, r));
  return db.primary((sql) =>
    sql.begin(async (tx) => {
      const outcome = await registerIn(tx, r);
      if (outcome === 'created' || outcome === 'created_with_session') await verifyNewAccount(tx, r.email, r.client, verify);
      return outcome;
    }),
  );
}

async function registerIn(sql: Sql | TransactionSql, r: Registration): Promise<StoredOutcome<RegisterOutcome>> {
  const ip = r.client.ip ?? null;
  const ipLimit = ip === null ? null : (r.ipLimitPerMinute ?? null);
  const [row] = await sql<{ outcome: StoredOutcome<RegisterOutcome> }[]>`
    SELECT register_account(${r.requestId ?? null}, ${r.email.trim()}, ${normalizeEmail(r.email)}, ${r.hash},
      ${r.tokenHash ?? null}, ${r.sessionSeconds}, ${ip}, ${r.client.userAgent ?? null}, ${ipLimit}) AS outcome`;
  return row!.outcome;
}
