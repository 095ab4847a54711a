import type { Sql, TransactionSql } from 'postgres';
import { normalizeEmail } from '@gatehouse/protocol';
import type { Database } from './connect.js';

/** The users table: hashes read from a standby when there is one, and replaced on the primary (new users: register-account.ts). */
export class UsersRepository {
  constructor(private readonly db: Database) {}

  /** Replaces a user's hash (an upgrade to today's parameters); false when no such user. */
  async updateHash(tx: TransactionSql, email: string, hash: string): Promise<boolean> {
    const rows = await tx`UPDATE users SET hash = ${hash} WHERE lower(email) = ${normalizeEmail(email)}`;
    return rows.count === 1;
  }

  /**
   * Reads from a standby. A user registered a moment ago may not have reached a lagging standby
   * yet, and a standby may be down, so a miss or an error is asked again of the primary.
   */
  async findHash(email: string): Promise<string | undefined> {
    const select = (sql: Sql) => selectHash(sql, normalizeEmail(email));
    if (!this.db.hasStandby) return this.db.primary(select);
    const found = await this.db.standby(select).catch(() => undefined);
    return found ?? this.db.primary(select);
  }
}

async function selectHash(sql: Sql, normalizedEmail: string): Promise<string | undefined> {
  const rows = await sql<{ hash: string }[]>`SELECT hash FROM users WHERE lower(email) = ${normalizedEmail}`;
  return rows[0]?.hash;
}

