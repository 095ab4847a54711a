import type { JSONValue, TransactionSql } from 'postgres';
import type { Database } from './connect.js';

/** One mail, as the outbox holds it until a Mailer has sent it. */
export interface OutboxMail {
  id: string;
  /** Which of the Mailer's templates renders it (e.g. `password_reset`). */
  template: string;
  recipient: string;
  data: Record<string, JSONValue>;
}

/** Queues a mail in the caller's transaction: it exists exactly when what it announces commits. */
export async function queueMail(tx: TransactionSql, mail: OutboxMail): Promise<void> {
  await tx`
    INSERT INTO outbox (id, template, recipient, data)
    VALUES (${mail.id}, ${mail.template}, ${mail.recipient}, ${tx.json(mail.data)})`;
}

export interface RelayOptions {
  limit: number;
  /** Unpublished rows younger than this are left to the request that wrote them (it relays right after commit). */
  olderThanMs: number;
  /**
   * A published mail still unsent and unclaimed after this is published again: its message was
   * lost (a broker that lost it, or npm start's in-memory queue when the process stopped).
   */
  republishAfterMs: number;
  /** After this many publishes a mail is left alone (the Mailer dead-letters what it cannot send). */
  maxPublishes: number;
}

/**
 * Hands unpublished mails to `publish`, oldest first, and marks each published once `publish`
 * resolved. Rows are locked (SKIP LOCKED) while they are published, so several Back Ends relay
 * side by side without publishing a row twice; a relay that dies mid-way leaves its rows
 * unpublished for the next pass (at worst a row is published twice: the Mailer's claim makes
 * that harmless). `olderThanMs` lets a sweep leave fresh rows to the request that wrote them.
 */
export async function relayOutbox(db: Database, publish: (id: string) => Promise<void>, options: RelayOptions): Promise<number> {
  return db.primary((sql) =>
    sql.begin(async (tx) => {
      const rows = await tx<{ id: string }[]>`
        SELECT id FROM outbox
        WHERE (published_at IS NULL AND created_at <= now() - make_interval(secs => ${options.olderThanMs / 1000}))
           OR (sent_at IS NULL AND publishes < ${options.maxPublishes}
               AND published_at <= now() - make_interval(secs => ${options.republishAfterMs / 1000})
               AND (claimed_until IS NULL OR claimed_until <= now()))
        ORDER BY created_at LIMIT ${options.limit} FOR UPDATE SKIP LOCKED`;
      for (const { id } of rows) await publish(id);
      if (rows.length) await tx`UPDATE outbox SET published_at = now(), publishes = publishes + 1 WHERE id IN ${tx(rows.map((r) => r.id))}`;
      return rows.length;
    }),
  );
}

/** Marks mails that were handed to the queue right after their commit as published (once). */
export async function markPublished(db: Database, ids: string[]): Promise<void> {
  await db.primary((sql) => sql`
    UPDATE outbox SET published_at = now(), publishes = publishes + 1 WHERE id IN ${sql(ids)} AND published_at IS NULL`);
}

export type MailClaim =
  | { state: 'claimed'; mail: OutboxMail }
  | { state: 'sent' | 'gone' }
  | { state: 'busy'; retryInMs: number };

/**
 * MAIL_CLAIM: a Mailer may send mail `id` for `leaseMs` unless it was sent, or another claimant
 * holds an unexpired lease (a Mailer that died mid-send loses its lease when it runs out). The
 * same claimant may claim again (its claim call was retried).
 */
export async function claimMail(db: Database, id: string, claimant: string, leaseMs: number): Promise<MailClaim> {
  return db.primary(async (sql) => {
    const [row] = await sql<(OutboxMail & { sent: boolean; wait_ms: number | null })[]>`
      WITH claimed AS (
        UPDATE outbox SET claimed_by = ${claimant}, claimed_until = now() + make_interval(secs => ${leaseMs / 1000})
        WHERE id = ${id} AND sent_at IS NULL
          AND (claimed_until IS NULL OR claimed_until <= now() OR claimed_by = ${claimant})
        RETURNING id, template, recipient, data)
      SELECT c.id, c.template, c.recipient, c.data, false AS sent, NULL::double precision AS wait_ms FROM claimed c
      UNION ALL
      SELECT o.id, o.template, o.recipient, NULL, o.sent_at IS NOT NULL,
             greatest(extract(epoch FROM o.claimed_until - now()) * 1000, 0)
      FROM outbox o WHERE o.id = ${id} AND NOT EXISTS (SELECT 1 FROM claimed)`;
    if (!row) return { state: 'gone' };
    if (row.sent) return { state: 'sent' };
    if (row.wait_ms !== null) return { state: 'busy', retryInMs: Math.ceil(row.wait_ms) };
    return { state: 'claimed', mail: { id: row.id, template: row.template, recipient: row.recipient, data: row.data ?? {} } };
  });
}

/** MAIL_SENT: the SMTP server took mail `id`. Its data (the link) is cleared; the row stays as a record. */
export async function markMailSent(db: Database, id: string): Promise<void> {
  await db.primary((sql) => sql`UPDATE outbox SET sent_at = coalesce(sent_at, now()), data = NULL, claimed_until = NULL WHERE id = ${id}`);
}

/** How the outbox stands, for /status and metrics: mails not yet published, and not yet sent. */
export async function outboxBacklog(db: Database): Promise<{ unpublished: number; unsent: number }> {
  const [row] = await db.primary((sql) => sql<{ unpublished: number; unsent: number }[]>`
    SELECT count(*) FILTER (WHERE published_at IS NULL)::int AS unpublished, count(*) FILTER (WHERE sent_at IS NULL)::int AS unsent
    FROM outbox WHERE sent_at IS NULL`);
  return row!;
}

/** Sent mails are kept a week as a record (without their links), then deleted. */
export async function pruneOutbox(db: Database): Promise<number> {
  const rows = await db.primary((sql) => sql`DELETE FROM outbox WHERE sent_at < now() - interval '7 days'`);
  return rows.count;
}
