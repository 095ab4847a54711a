import type { Sql, TransactionSql } from 'postgres';
import { normalizeEmail } from '@gatehouse/protocol';

/** A new set of recovery codes (their hashes) replaces the old one, used or not. */
export async function replaceRecoveryCodes(tx: TransactionSql, email: string, codeHashes: readonly string[]): Promise<void> {
  const key = normalizeEmail(email);
  await tx`DELETE FROM recovery_codes WHERE email = ${key}`;
  for (const hash of new Set(codeHashes)) await tx`INSERT INTO recovery_codes (email, code_hash) VALUES (${key}, ${hash})`;
}

/** Spends the code with this hash: true only for an unused code of this account, and only once. */
export async function spendRecoveryCode(tx: TransactionSql, email: string, codeHash: string): Promise<boolean> {
  const rows = await tx`
    UPDATE recovery_codes SET used_at = now()
    WHERE email = ${normalizeEmail(email)} AND code_hash = ${codeHash} AND used_at IS NULL`;
  return rows.count === 1;
}

export async function recoveryCodesLeft(sql: Sql | TransactionSql, email: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM recovery_codes WHERE email = ${normalizeEmail(email)} AND used_at IS NULL`;
  return row!.n;
}
