import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { ClaimHeldError, type DeliveryOutcome, type MailDelivery } from './delivery.js';
import { UnknownTemplateError } from './templates.js';

export interface RetryPolicy {
  /** First pause after a failure; doubles up to maxMs. */
  initialMs: number;
  maxMs: number;
  /** How long one delivery keeps trying before it gives the message back (quorum mode counts it). */
  holdMs: number;
}

/** An SMTP server down for minutes is waited out inside one delivery, without a redelivery. */
export const DEFAULT_RETRY: RetryPolicy = { initialMs: 1000, maxMs: 30_000, holdMs: 10 * 60_000 };

/** `undeliverable`: the mail can never be sent as it is (an unknown template): dead-letter it. */
export type RetryOutcome = DeliveryOutcome | 'gave_up' | 'undeliverable' | 'stopped';

/**
 * Delivers mail `id`, retrying with backoff while the SMTP server or the Back End is away, or
 * while another Mailer's claim runs. Gives up after `holdMs`, or when `signal` aborts (shutdown).
 */
export async function deliverWithRetry(delivery: MailDelivery, id: string, logger: Logger, policy: RetryPolicy, signal?: AbortSignal): Promise<RetryOutcome> {
  const started = Date.now();
  for (let waitMs = policy.initialMs; ; waitMs = Math.min(waitMs * 2, policy.maxMs)) {
    if (signal?.aborted) return 'stopped';
    try {
      return await delivery.deliver(id);
    } catch (err) {
      if (err instanceof UnknownTemplateError) {
        logger.error({ mailId: id, reason: err.message }, 'Mail cannot be rendered; dead-lettering it');
        return 'undeliverable';
      }
      const pause = err instanceof ClaimHeldError ? Math.max(err.retryInMs, 100) : waitMs;
      if (Date.now() - started + pause > policy.holdMs) {
        logger.warn({ mailId: id, reason: (err as Error).message }, 'Mail still not sent; giving it back to the queue');
        return 'gave_up';
      }
      logger.warn({ mailId: id, reason: (err as Error).message, retryInMs: pause }, 'Mail not sent yet; retrying');
      try {
        await sleep(pause, undefined, { signal });
      } catch {
        return 'stopped';
      }
    }
  }
}
