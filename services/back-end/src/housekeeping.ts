import type { Logger } from 'pino';
import {
  DEFAULT_RETENTION, pruneAccountTokens, pruneAuthEvents, pruneIpAttempts, pruneLoginFailures, pruneOpenAttempts, pruneOutbox,
  prunePendingLogins, pruneProcessedRequests, pruneSessions, pruneChallenges,
  type Database, type RetentionPolicy,
} from '@gatehouse/database';

const EVERY_MS = 3_600_000;

type LockoutWindow = { maxDelayMs: number; resetAfterMs?: number };

/**
 * A failure counter is stale once its longest lock is over and, where counts decay, once it
 * would have decayed anyway: pruning must never forgive failures earlier than the policy does.
 */
export function retentionPolicy(auditDays = DEFAULT_RETENTION.auditDays, lockout: LockoutWindow): RetentionPolicy {
  return { auditDays, loginFailureWindowMs: Math.max(lockout.maxDelayMs, lockout.resetAfterMs ?? 0) };
}

/** Deletes each kind of old record in turn; returns how many of each went. */
async function pruneAll(db: Database, retention: RetentionPolicy) {
  return {
    requests: await pruneProcessedRequests(db),
    sessions: await pruneSessions(db),
    authEvents: await pruneAuthEvents(db, retention),
    loginFailures: await pruneLoginFailures(db, retention),
    ipAttempts: await pruneIpAttempts(db),
    openAttempts: await pruneOpenAttempts(db),
    accountTokens: await pruneAccountTokens(db),
    sentMail: await pruneOutbox(db),
    pendingLogins: await prunePendingLogins(db),
    passkeyChallenges: await pruneChallenges(db),
  };
}

/**
 * Deletes idempotency records, ended sessions, old audit events and stale failure counters that
 * nobody can need any more. Every Back End runs it; the deletes are idempotent, so running it
 * twice at once is harmless.
 */
export function startHousekeeping(db: Database, logger: Logger, retention: RetentionPolicy): () => void {
  const run = async () => {
    try {
      const pruned = await pruneAll(db, retention);
      if (Object.values(pruned).some((count) => count > 0)) logger.info(pruned, 'Pruned old records');
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message } }, 'Housekeeping failed; will retry');
    }
  };
  const timer = setInterval(run, EVERY_MS);
  timer.unref();
  void run();
  return () => clearInterval(timer);
}
