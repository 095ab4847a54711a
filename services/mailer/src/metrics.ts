import { Counter, Gauge } from 'prom-client';
import { createMetricsRegistry, type Registry } from '@gatehouse/runtime';
import type { RetryOutcome } from './retrying.js';

/**
 * The Mailer's own figures for Prometheus (the outbox's backlog and the mail queue's dead
 * letters are the Back End's, which sees the database): how each message ended, and how many
 * are being worked on now (a figure stuck at MAIL_CONCURRENCY means the SMTP server is away).
 */
export class MailerMetrics {
  readonly registry: Registry;
  readonly #outcomes: Counter<'outcome'>;
  readonly #inProgress: Gauge;

  constructor(registry: Registry = createMetricsRegistry()) {
    this.registry = registry;
    this.#outcomes = new Counter({
      name: 'gatehouse_mailer_messages_total',
      help: 'Mail queue messages handled, by outcome: sent, already_sent (a redelivery), gone, undeliverable (dead-lettered), gave_up or stopped (requeued)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.#inProgress = new Gauge({ name: 'gatehouse_mailer_in_progress', help: 'Mails being delivered or retried right now', registers: [registry] });
  }

  /** Wraps one message's delivery: counted while it runs, then by how it ended. */
  async track(deliver: () => Promise<RetryOutcome>): Promise<RetryOutcome> {
    this.#inProgress.inc();
    try {
      const outcome = await deliver();
      this.#outcomes.inc({ outcome });
      return outcome;
    } finally {
      this.#inProgress.dec();
    }
  }
}
