import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';

export interface BackoffOptions {
  logger: Logger;
  /** First wait in ms; doubles after each failure. */
  initialMs?: number;
  maxMs?: number;
  /** Give up after this long in total; undefined waits forever. */
  giveUpAfterMs?: number;
  /**
   * Why an error will not go away by waiting (a refused login), or undefined for one that may
   * (a server not up yet). A reason stops the retries at once, with that reason as the error.
   */
  refusal?: (err: unknown) => string | undefined;
}

/** A start-up failure that waiting cannot fix; its message is meant for the person running it. */
export class RefusedError extends Error {
  override readonly name = 'RefusedError';
}

/**
 * Retries `attempt` with exponential backoff, logging each wait as the textbook's
 * Back End does ("Waiting 2s..."), because services start in any order.
 */
export async function withBackoff<T>(what: string, attempt: () => Promise<T>, options: BackoffOptions): Promise<T> {
  const { logger, initialMs = 1000, maxMs = 16_000, giveUpAfterMs, refusal } = options;
  const started = Date.now();
  for (let waitMs = initialMs; ; waitMs = Math.min(waitMs * 2, maxMs)) {
    logger.info(`Connecting to ${what}...`);
    try {
      return await attempt();
    } catch (err) {
      const refused = refusal?.(err);
      if (refused) throw new RefusedError(refused);
      if (giveUpAfterMs !== undefined && Date.now() - started + waitMs > giveUpAfterMs) throw err;
      logger.info({ reason: (err as Error).message }, `Waiting ${formatSeconds(waitMs)}...`);
      await sleep(waitMs);
    }
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}
