import type { Sql, TransactionSql } from 'postgres';
import type { Database } from './connect.js';
import { normalizeEmail, type SessionListing } from '@gatehouse/protocol';
import type { ClientContext } from './audit-events.js';
import type { StoredOutcome } from './processed-requests.js';

export interface SessionPolicy {
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  /** last_seen_at is refreshed at most this often, so reads rarely cost a write. */
  touchIntervalMs: number;
}

export const DEFAULT_SESSIONS: SessionPolicy = { idleTimeoutMs: 30 * 60_000, absoluteTimeoutMs: 12 * 3600_000, touchIntervalMs: 60_000 };

interface SessionRow {
  email: string;
  last_seen_at: Date;
}

/** How a listed session is named in forms: the first 16 hex digits of its id's hash (the id itself stays secret). */
export const SESSION_REF_LENGTH = 16;

/**
 * Sessions by the hash of their id, read and written on the primary: a session revoked there
 * must not stay valid on a standby for the replication lag, or for ever on a stalled one.
 */
export class SessionsRepository {
  constructor(private readonly db: Database, private readonly policy: SessionPolicy) {}

  /** How long a new session lives, at most. */
  get absoluteSeconds(): number {
    return this.policy.absoluteTimeoutMs / 1000;
  }

  /**
   * SESSION_CREATE as one statement on the primary (create_session, migrations 0006 and 0007):
   * the session, and at login the cleared failure count (the trusted `device`'s, or without one
   * the untrusted clients') and the audit row, with the stored outcome. A login of an account
   * with a second factor is refused (migration 0010): its session starts in MFA_LOGIN_VERIFY.
   */
  async start(
    requestId: string | undefined,
    s: { tokenHash: string; email: string; client: ClientContext; atLogin: boolean; device?: string },
  ): Promise<StoredOutcome<'created' | 'second_factor_required'>> {
    const [row] = await this.db.primary((sql) => sql<{ outcome: StoredOutcome<'created' | 'second_factor_required'> }[]>`
      SELECT create_session(${requestId ?? null}, ${s.tokenHash}, ${s.email.trim()}, ${normalizeEmail(s.email)},
        ${this.absoluteSeconds}, ${s.client.ip ?? null}, ${s.client.userAgent ?? null}, ${s.atLogin}, ${s.device ?? null}::text) AS outcome`);
    return row!.outcome;
  }

  /**
   * The session's email while it is live, and whether that address is verified (for the
   * "verify your address" notice). One key lookup on the primary, and one on users' index.
   */
  async find(tokenHash: string): Promise<{ email: string; verified: boolean } | undefined> {
    const [row] = await this.db.primary((sql) => sql<(SessionRow & { verified: boolean })[]>`
      SELECT s.email, s.last_seen_at,
        coalesce((SELECT u.email_verified_at IS NOT NULL FROM users u WHERE lower(u.email) = lower(s.email)), true) AS verified
      FROM sessions s
      WHERE s.token_hash = ${tokenHash} AND s.revoked_at IS NULL AND s.expires_at > now()
        AND s.last_seen_at > now() - make_interval(secs => ${this.policy.idleTimeoutMs / 1000})`);
    if (!row) return undefined;
    if (Date.now() - row.last_seen_at.getTime() > this.policy.touchIntervalMs) void this.#touch(tokenHash);
    return { email: row.email, verified: row.verified };
  }

  /** Revokes one session; returns its email, if it was live. */
  async revoke(tx: TransactionSql, tokenHash: string): Promise<string | undefined> {
    const [row] = await tx<{ email: string }[]>`
      UPDATE sessions SET revoked_at = now() WHERE token_hash = ${tokenHash} AND revoked_at IS NULL RETURNING email`;
    return row?.email;
  }

  /** Revokes every live session of the user who owns `tokenHash`. */
  async revokeAllOf(tx: TransactionSql, tokenHash: string): Promise<{ email?: string; revoked: number }> {
    // Only a live session may end the others: an expired cookie (a stolen old one, say) ends nothing.
    const owner = await this.#live(tx, tokenHash);
    if (!owner) return { revoked: 0 };
    const rows = await tx`
      UPDATE sessions SET revoked_at = now() WHERE lower(email) = lower(${owner.email}) AND revoked_at IS NULL`;
    return { email: owner.email, revoked: rows.count };
  }

  /** Whose live session `tokenHash` is; undefined for an ended, expired or idle one. */
  ownerOf(sql: Sql | TransactionSql, tokenHash: string): Promise<string | undefined> {
    return this.#live(sql, tokenHash).then((row) => row?.email);
  }

  /** Every live session of the user whose live session `tokenHash` is, newest first; undefined if it is not live. */
  async listFor(tokenHash: string): Promise<SessionListing[] | undefined> {
    return this.db.primary(async (sql) => {
      const owner = await this.#live(sql, tokenHash);
      if (!owner) return undefined;
      const rows = await sql<{ token_hash: string; created_at: Date; last_seen_at: Date; ip: string | null; user_agent: string | null }[]>`
        SELECT token_hash, created_at, last_seen_at, ip, user_agent FROM sessions
        WHERE lower(email) = lower(${owner.email}) AND revoked_at IS NULL AND expires_at > now()
          AND last_seen_at > now() - make_interval(secs => ${this.policy.idleTimeoutMs / 1000})
        ORDER BY created_at DESC LIMIT 50`;
      return rows.map((r) => ({
        ref: r.token_hash.slice(0, SESSION_REF_LENGTH),
        createdAt: r.created_at.toISOString(),
        lastSeenAt: r.last_seen_at.toISOString(),
        ip: r.ip,
        userAgent: r.user_agent,
        current: r.token_hash === tokenHash,
      }));
    });
  }

  /** Ends the owner's other sessions: all of them, or the one named `ref`. Returns how many ended. */
  async revokeOthers(tx: TransactionSql, tokenHash: string, ref?: string): Promise<{ email?: string; revoked: number }> {
    const owner = await this.#live(tx, tokenHash);
    if (!owner) return { revoked: 0 };
    const one = ref === undefined ? tx`` : tx`AND left(token_hash, ${SESSION_REF_LENGTH}) = ${ref}`;
    const rows = await tx`
      UPDATE sessions SET revoked_at = now()
      WHERE lower(email) = lower(${owner.email}) AND revoked_at IS NULL AND token_hash <> ${tokenHash} ${one}`;
    return { email: owner.email, revoked: rows.count };
  }

  #live(sql: Sql | TransactionSql, tokenHash: string): Promise<SessionRow | undefined> {
    return sql<SessionRow[]>`
      SELECT email, last_seen_at FROM sessions
      WHERE token_hash = ${tokenHash} AND revoked_at IS NULL AND expires_at > now()
        AND last_seen_at > now() - make_interval(secs => ${this.policy.idleTimeoutMs / 1000})`.then((rows) => rows[0]);
  }

  /** Best effort: a session that cannot be extended now is extended at a later read. */
  async #touch(tokenHash: string): Promise<void> {
    await this.db.primary((sql) => sql`UPDATE sessions SET last_seen_at = now() WHERE token_hash = ${tokenHash}`).catch(() => undefined);
  }
}

/** Ended sessions are kept a day for investigation, then deleted. */
export async function pruneSessions(db: Database): Promise<number> {
  const rows = await db.primary((sql) => sql`
    DELETE FROM sessions WHERE expires_at < now() - interval '1 day' OR revoked_at < now() - interval '1 day'`);
  return rows.count;
}
