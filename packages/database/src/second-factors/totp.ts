import type { Sql, TransactionSql } from 'postgres';
import { normalizeEmail } from '@gatehouse/protocol';
import type { Database } from '../connect.js';
import { readPrimaryElseStandby } from '../primary-else-standby.js';

/** An account's authenticator app as stored: the sealed secret, never the secret itself. */
export interface TotpRow {
  secretBox: string;
  keyId: string;
  /** The last time step a code was accepted for (0: none yet). */
  lastStep: number;
  enabled: boolean;
  createdAt: Date;
}

interface RawRow {
  secret_box: string;
  key_id: string;
  last_step: string;
  enabled: boolean;
  created_at: Date;
}

const toRow = (r: RawRow): TotpRow => ({ secretBox: r.secret_box, keyId: r.key_id, lastStep: Number(r.last_step), enabled: r.enabled, createdAt: r.created_at });

/**
 * The account's TOTP row, locked until the transaction ends: two Front Ends checking the same
 * code at once are ordered here, and only the first can move `last_step` past it.
 */
export async function lockTotp(tx: TransactionSql, email: string): Promise<TotpRow | undefined> {
  const [row] = await tx<RawRow[]>`
    SELECT secret_box, key_id, last_step::text, enabled_at IS NOT NULL AS enabled, created_at
    FROM totp_credentials WHERE email = ${normalizeEmail(email)} FOR UPDATE`;
  return row && toRow(row);
}

/** A new secret waiting for its first code; replaces an earlier enrolment that never finished. */
export async function storePendingTotp(tx: TransactionSql, email: string, secretBox: string, keyId: string): Promise<void> {
  await tx`
    INSERT INTO totp_credentials (email, secret_box, key_id) VALUES (${normalizeEmail(email)}, ${secretBox}, ${keyId})
    ON CONFLICT (email) DO UPDATE SET secret_box = excluded.secret_box, key_id = excluded.key_id,
      last_step = 0, created_at = now(), enabled_at = NULL
    WHERE totp_credentials.enabled_at IS NULL`;
}

/** Spends time step `step` (the row must be locked by lockTotp); with `enable`, switches TOTP on. */
export async function useTotpStep(tx: TransactionSql, email: string, step: number, enable = false): Promise<void> {
  const enabled = enable ? tx`, enabled_at = now()` : tx``;
  await tx`UPDATE totp_credentials SET last_step = ${step} ${enabled} WHERE email = ${normalizeEmail(email)}`;
}

/** Re-seals a secret under another key (key rotation). */
export async function resealTotp(sql: Sql | TransactionSql, email: string, secretBox: string, keyId: string): Promise<void> {
  await sql`UPDATE totp_credentials SET secret_box = ${secretBox}, key_id = ${keyId} WHERE email = ${email}`;
}

/** Every sealed secret, for re-sealing under a new key. */
export async function allTotpSecrets(sql: Sql | TransactionSql): Promise<{ email: string; secretBox: string; keyId: string }[]> {
  const rows = await sql<{ email: string; secret_box: string; key_id: string }[]>`SELECT email, secret_box, key_id FROM totp_credentials`;
  return rows.map((r) => ({ email: r.email, secretBox: r.secret_box, keyId: r.key_id }));
}

/** The key ids secrets are sealed under, with how many each: the start-up check's input. */
export async function totpKeyIds(sql: Sql): Promise<Map<string, number>> {
  const rows = await sql<{ key_id: string; n: number }[]>`SELECT key_id, count(*)::int AS n FROM totp_credentials GROUP BY key_id`;
  return new Map(rows.map((r) => [r.key_id, r.n]));
}

/** TOTP off: the secret, the recovery codes and any half-done logins go. */
export async function removeSecondFactors(tx: TransactionSql, email: string): Promise<boolean> {
  const key = normalizeEmail(email);
  const rows = await tx`DELETE FROM totp_credentials WHERE email = ${key}`;
  await tx`DELETE FROM recovery_codes WHERE email = ${key}`;
  await tx`DELETE FROM pending_logins WHERE email = ${key}`;
  return rows.count > 0;
}

/** GETHASH's check: on the primary, or a standby while the primary cannot answer (as the lock is read). */
export async function secondFactorForLogin(db: Database, email: string): Promise<boolean> {
  return readPrimaryElseStandby(db, (sql) => hasSecondFactor(sql, email));
}

/** Whether the account must pass a second factor after its password (has_second_factor, migration 0010). */
export async function hasSecondFactor(sql: Sql | TransactionSql, email: string): Promise<boolean> {
  const [row] = await sql<{ on: boolean }[]>`SELECT has_second_factor(${normalizeEmail(email)}) AS on`;
  return row!.on;
}

/** Whether the account's authenticator app is switched on (a passkey alone also makes has_second_factor true). */
export async function totpEnabled(sql: Sql | TransactionSql, email: string): Promise<boolean> {
  const [row] = await sql<{ on: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM totp_credentials WHERE email = ${normalizeEmail(email)} AND enabled_at IS NOT NULL) AS on`;
  return row!.on;
}
