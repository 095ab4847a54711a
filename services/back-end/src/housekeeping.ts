import type { Logger } from 'pino';
import { pruneProcessedRequests, pruneSessions, type Database } from '@gatehouse/database';

const EVERY_MS = 3_600_000;

/**
 * Deletes idempotency records and ended sessions that nobody can need any more. Every Back End
 * runs it; the deletes are idempotent, so running it twice at once is harmless.
 */
export function startHousekeeping(db: Database, logger: Logger): () => void {
  const run = async () => {
    try {
      const [requests, sessions] = [await pruneProcessedRequests(db), await pruneSessions(db)];
      if (requests || sessions) logger.info({ requests, sessions }, 'Pruned old records');
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message } }, 'Housekeeping failed; will retry');
    }
  };
  const timer = setInterval(run, EVERY_MS);
  timer.unref();
  void run();
  return () => clearInterval(timer);
}
