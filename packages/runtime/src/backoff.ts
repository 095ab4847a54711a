import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';

export interface BackoffOptions {
  logger: Logger;
  /** First wait in ms; doubles after each failure. */
  initialMs?: number;
  maxMs?: number;
  /** Give up after this long in total; undefined waits forever. */
  giveUpAfterMs?: number;
}

/**
 * Retries `attempt` with exponential backoff, logging each wait as the textbook's
 * Back End does ("Waiting 2s..."), because services start in any order.
 */
export async function withBackoff<T>(what: string, attempt: () => Promise<T>, options: BackoffOptions): Promise<T> {
  const { logger, initialMs = 1000, maxMs = 16_000, giveUpAfterMs } = options;
  const started = Date.now();
  for (let waitMs = initialMs; ; waitMs = Math.min(waitMs * 2, maxMs)) {
    logger.info(`Connecting to ${what}...`);
    try {
      return await attempt();
    } catch (err) {
      if (giveUpAfterMs !== undefined && Date.now() - started + waitMs > giveUpAfterMs) throw err;
      logger.info({ reason: (err as Error).message }, `Waiting ${formatSeconds(waitMs)}...`);
      await sleep(waitMs);
    }
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}
