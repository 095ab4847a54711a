import type { JSONValue, TransactionSql } from 'postgres';
import type { Reply } from '@gatehouse/protocol';
import type { Database } from './connect.js';
import { assertBeforeDeadline } from './request-deadline.js';

/**
 * Runs a write at most once per request id, in one transaction with the reply it produced.
 * The id is claimed first (claim_request, migration 0006): a redelivered copy (its first worker
 * stalled or died) blocks on the claim until the first transaction ends, then either returns
 * the reply the first one committed or, if it rolled back, runs the write itself. Without a
 * request id (the textbook's clients send none) the write simply runs.
 */
export async function runOnce(
  db: Database,
  requestId: string | undefined,
  write: (tx: TransactionSql) => Promise<Reply>,
): Promise<Reply> {
  return (await db.primary((sql) =>
    sql.begin(async (tx) => {
      if (!requestId) return write(tx);
      const [claim] = await tx<{ stored: Reply | null }[]>`SELECT claim_request(${requestId}) AS stored`;
      if (claim!.stored !== null) return claim!.stored;
      const reply = await write(tx);
      await tx`SELECT store_reply(${requestId}, ${tx.json(reply as JSONValue)})`;
      // Each statement is bounded by the deadline, but not their sum: nothing commits after it.
      assertBeforeDeadline('before the transaction committed');
      return reply;
    }),
  )) as Reply;
}

/**
 * What a one-statement write (migration 0006) returns: its outcome, or for a redelivered request
 * whose first copy a Back End from before that migration handled, the reply that one stored.
 */
export type StoredOutcome<O extends string> = O | Reply;

/** Old request ids are only needed while a redelivery is possible; a day is ample. */
export async function pruneProcessedRequests(db: Database, olderThanHours = 24): Promise<number> {
  const rows = await db.primary((sql) => sql`
    DELETE FROM processed_requests WHERE processed_at < now() - make_interval(hours => ${olderThanHours})`);
  return rows.count;
}
