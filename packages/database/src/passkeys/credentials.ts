import type { Sql, TransactionSql } from 'postgres';
import { MAX_PASSKEYS, normalizeEmail } from '@gatehouse/protocol';

/** A passkey as stored: what verifying its next assertion needs, and what the Account page lists. */
export interface PasskeyRow {
  id: string;
  email: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
  backupEligible: boolean;
  backedUp: boolean;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

interface RawRow {
  id: string;
  email: string;
  public_key: Uint8Array;
  counter: string;
  transports: string;
  backup_eligible: boolean;
  backed_up: boolean;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
}

const toRow = (r: RawRow): PasskeyRow => ({
  id: r.id,
  email: r.email,
  publicKey: new Uint8Array(r.public_key),
  counter: Number(r.counter),
  transports: r.transports.split(',').filter(Boolean),
  backupEligible: r.backup_eligible,
  backedUp: r.backed_up,
  name: r.name,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
});

export interface NewPasskey {
  id: string;
  publicKey: Uint8Array;
  counter: number;
  transports: readonly string[];
  backupEligible: boolean;
  backedUp: boolean;
  name: string;
}

/**
 * Stores a verified passkey; false when that credential id is registered already (to anyone).
 * Transports are schema-checked names (no commas), kept as one comma-separated text: our
 * connections do not fetch array types, so a text[] would come back as its literal.
 */
export async function addPasskey(tx: TransactionSql, email: string, p: NewPasskey): Promise<'added' | 'exists' | 'limit'> {
  const key = normalizeEmail(email);
  // The account's handle row (made with the ceremony's options) orders two additions at once, so
  // both cannot pass the count.
  await tx`SELECT 1 FROM webauthn_user_handles WHERE email = ${key} FOR UPDATE`;
  const [held] = await tx<{ n: number }[]>`SELECT count(*)::int AS n FROM webauthn_credentials WHERE email = ${key}`;
  if (held!.n >= MAX_PASSKEYS) return 'limit';
  const rows = await tx`
    INSERT INTO webauthn_credentials (id, email, public_key, counter, transports, backup_eligible, backed_up, name)
    VALUES (${p.id}, ${normalizeEmail(email)}, ${Buffer.from(p.publicKey)}, ${p.counter}, ${p.transports.join(',')},
      ${p.backupEligible}, ${p.backedUp}, ${p.name})
    ON CONFLICT (id) DO NOTHING`;
  return rows.count === 1 ? 'added' : 'exists';
}

/** The account's passkeys, oldest first. */
export async function listPasskeys(sql: Sql | TransactionSql, email: string): Promise<PasskeyRow[]> {
  const rows = await sql<RawRow[]>`
    SELECT id, email, public_key, counter::text, transports, backup_eligible, backed_up, name, created_at, last_used_at
    FROM webauthn_credentials WHERE email = ${normalizeEmail(email)} ORDER BY created_at, id`;
  return rows.map(toRow);
}

/**
 * One passkey, locked until the transaction ends: two assertions of one authenticator are
 * ordered here, so the counter check sees the other's update. `email`: only if it is this account's.
 */
export async function lockPasskey(tx: TransactionSql, id: string, email?: string): Promise<PasskeyRow | undefined> {
  const owner = email === undefined ? tx`` : tx`AND email = ${normalizeEmail(email)}`;
  const [row] = await tx<RawRow[]>`
    SELECT id, email, public_key, counter::text, transports, backup_eligible, backed_up, name, created_at, last_used_at
    FROM webauthn_credentials WHERE id = ${id} ${owner} FOR UPDATE`;
  return row && toRow(row);
}

/** After a verified assertion: the new counter and backup state, and when it was used. */
export async function usePasskey(tx: TransactionSql, id: string, counter: number, backedUp: boolean): Promise<void> {
  await tx`UPDATE webauthn_credentials SET counter = ${counter}, backed_up = ${backedUp}, last_used_at = now() WHERE id = ${id}`;
}

/** Removes one of the account's passkeys; false when it has no such passkey. */
export async function removePasskey(tx: TransactionSql, email: string, id: string): Promise<boolean> {
  const rows = await tx`DELETE FROM webauthn_credentials WHERE id = ${id} AND email = ${normalizeEmail(email)}`;
  return rows.count === 1;
}

/** The account's WebAuthn user handle, made (from `fresh`) at its first use. */
export async function userHandleOf(tx: TransactionSql, email: string, fresh: string): Promise<string> {
  const key = normalizeEmail(email);
  await tx`INSERT INTO webauthn_user_handles (email, handle) VALUES (${key}, ${fresh}) ON CONFLICT (email) DO NOTHING`;
  const [row] = await tx<{ handle: string }[]>`SELECT handle FROM webauthn_user_handles WHERE email = ${key}`;
  return row!.handle;
}

/** The account's WebAuthn user handle, if it has one (a passwordless answer's userHandle must be it). */
export async function storedUserHandle(sql: Sql | TransactionSql, email: string): Promise<string | undefined> {
  const [row] = await sql<{ handle: string }[]>`SELECT handle FROM webauthn_user_handles WHERE email = ${normalizeEmail(email)}`;
  return row?.handle;
}

/** Every passkey of the account (an operator's reset-mfa for a user who lost every factor); how many went. */
export async function removeAllPasskeys(tx: TransactionSql, email: string): Promise<number> {
  const rows = await tx`DELETE FROM webauthn_credentials WHERE email = ${normalizeEmail(email)}`;
  return rows.count;
}
