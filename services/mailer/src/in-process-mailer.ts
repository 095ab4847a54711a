import type { Logger } from 'pino';
import type { MailDelivery } from './delivery.js';
import { deliverWithRetry, type RetryPolicy } from './retrying.js';

/**
 * `npm start`'s mail queue: the outbox relay hands ids here and they are delivered in the
 * background. Nothing is lost if the process stops first: a mail still unsent is published again
 * by the relay's sweep once its republish delay has passed.
 */
export class InProcessMailer {
  readonly #pending = new Set<Promise<unknown>>();
  readonly #stopping = new AbortController();

  constructor(
    private readonly delivery: MailDelivery,
    private readonly logger: Logger,
    private readonly retry: RetryPolicy,
  ) {}

  async publish(id: string): Promise<void> {
    if (this.#stopping.signal.aborted) throw new Error('The Mailer is stopping');
    const run = deliverWithRetry(this.delivery, id, this.logger.child({ mailId: id }), this.retry, this.#stopping.signal).finally(() => this.#pending.delete(run));
    this.#pending.add(run);
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    await Promise.allSettled([...this.#pending]);
  }
}
