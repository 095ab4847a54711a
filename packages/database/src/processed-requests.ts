import type { JSONValue, TransactionSql } from 'postgres';
import type { Reply } from '@gatehouse/protocol';
import type { Database } from './connect.js';

/**
 * Runs a write at most once per request id, in one transaction with the reply it produced.
 * A redelivered request (its first worker died before acknowledging) gets that same reply.
 * Without a request id (the textbook's clients send none) the write simply runs.
 */
export async function runOnce(
  db: Database,
  requestId: string | undefined,
  write: (tx: TransactionSql) => Promise<Reply>,
): Promise<Reply> {
  return (await db.readWrite.begin(async (tx) => {
    if (requestId) {
      const [earlier] = await tx<{ reply: Reply }[]>`
        SELECT reply FROM processed_requests WHERE request_id = ${requestId}`;
      if (earlier) return earlier.reply;
    }
    const reply = await write(tx);
    if (requestId) {
      await tx`INSERT INTO processed_requests (request_id, reply) VALUES (${requestId}, ${tx.json(reply as JSONValue)})`;
    }
    return reply;
  })) as Reply;
}

/** Old request ids are only needed while a redelivery is possible; a day is ample. */
export async function pruneProcessedRequests(db: Database, olderThanHours = 24): Promise<number> {
  const rows = await db.readWrite`
    DELETE FROM processed_requests WHERE processed_at < now() - make_interval(hours => ${olderThanHours})`;
  return rows.count;
}
