import type { Sql, TransactionSql } from 'postgres';
import type { Database } from '../connect.js';

/** How long a ceremony may take between its options and its answer. */
export const CHALLENGE_SECONDS = 5 * 60;

export type ChallengePurpose = 'register' | 'second_factor' | 'passwordless';

/**
 * A challenge handed out for `purpose`, bound to `boundTo` (the hash of the session, pending
 * login or passwordless token that asked). Only its SHA-256 is stored.
 */
export async function storeChallenge(tx: Sql | TransactionSql, challengeHash: string, purpose: ChallengePurpose, boundTo: string): Promise<void> {
  // Anyone may ask for passwordless options: expired rows go here too, a few at a time, so the
  // table holds about five minutes of challenges rather than an hour's (housekeeping's period).
  await tx`
    DELETE FROM webauthn_challenges WHERE challenge_hash IN (
      SELECT challenge_hash FROM webauthn_challenges WHERE expires_at <= now() LIMIT 20 FOR UPDATE SKIP LOCKED)`;
  await tx`
    INSERT INTO webauthn_challenges (challenge_hash, purpose, bound_to, expires_at)
    VALUES (${challengeHash}, ${purpose}, ${boundTo}, now() + make_interval(secs => ${CHALLENGE_SECONDS}))`;
}

/**
 * Spends the challenge: true only if it was handed out for this purpose and binding and has not
 * expired. It is deleted whatever the outcome, so no answer can use it twice.
 */
export async function spendChallenge(tx: TransactionSql, challengeHash: string, purpose: ChallengePurpose, boundTo: string): Promise<'valid' | 'expired' | 'unknown'> {
  const [row] = await tx<{ live: boolean }[]>`
    DELETE FROM webauthn_challenges WHERE challenge_hash = ${challengeHash} AND purpose = ${purpose} AND bound_to = ${boundTo}
    RETURNING expires_at > now() AS live`;
  if (!row) return 'unknown';
  return row.live ? 'valid' : 'expired';
}

/** Unanswered challenges past their time; for housekeeping. */
export async function pruneChallenges(db: Database): Promise<number> {
  const rows = await db.primary((sql: Sql) => sql`DELETE FROM webauthn_challenges WHERE expires_at <= now()`);
  return rows.count;
}
