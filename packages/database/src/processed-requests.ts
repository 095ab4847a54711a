import type { JSONValue, TransactionSql } from 'postgres';
import type { Reply } from '@gatehouse/protocol';
import type { Database } from './connect.js';

/**
 * Runs a write at most once per request id, in one transaction with the reply it produced.
 * The id is claimed first: a redelivered copy (its first worker stalled or died) blocks on the
 * claim until the first transaction ends, then either returns the reply the first one committed
 * or, if it rolled back, runs the write itself. Without a request id (the textbook's clients
 * send none) the write simply runs.
 */
export async function runOnce(
  db: Database,
  requestId: string | undefined,
  write: (tx: TransactionSql) => Promise<Reply>,
): Promise<Reply> {
  return (await db.primary((sql) =>
    sql.begin(async (tx) => {
      if (!requestId) return write(tx);
      if (!(await claim(tx, requestId))) return storedReply(tx, requestId);
      const reply = await write(tx);
      await tx`UPDATE processed_requests SET reply = ${tx.json(reply as JSONValue)} WHERE request_id = ${requestId}`;
      return reply;
    }),
  )) as Reply;
}

/** True when this transaction now owns the id. Waits while another uncommitted transaction holds it. */
async function claim(tx: TransactionSql, requestId: string): Promise<boolean> {
  const rows = await tx`
    INSERT INTO processed_requests (request_id) VALUES (${requestId})
    ON CONFLICT (request_id) DO NOTHING RETURNING 1`;
  return rows.length === 1;
}

/** The committed reply of the transaction that won the claim (a new statement sees its commit). */
async function storedReply(tx: TransactionSql, requestId: string): Promise<Reply> {
  const [row] = await tx<{ reply: Reply | null }[]>`SELECT reply FROM processed_requests WHERE request_id = ${requestId}`;
  if (!row?.reply) throw new Error(`Request ${requestId} was claimed but has no stored reply`);
  return row.reply;
}

/** Old request ids are only needed while a redelivery is possible; a day is ample. */
export async function pruneProcessedRequests(db: Database, olderThanHours = 24): Promise<number> {
  const rows = await db.primary((sql) => sql`
    DELETE FROM processed_requests WHERE processed_at < now() - make_interval(hours => ${olderThanHours})`);
  return rows.count;
}
