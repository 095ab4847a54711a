import { Counter, Gauge, type Registry } from 'prom-client';
import type { QueryObserver } from '@gatehouse/database';
import type { ExpiredWhen, RequestHandler } from '@gatehouse/messaging';
import { latencyHistogram, secondsSince } from '@gatehouse/runtime';

/** The Back End's Prometheus series, served on its health port (and by npm start's Front End). */
export interface BackEndMetrics {
  /** `handle`, counting and timing each request by protocol action and outcome. */
  measure(handle: RequestHandler): RequestHandler;
  /** For connectDatabase: query and transaction latency by pool (read = standbys, read_write = primary). */
  observeQuery: QueryObserver;
  /** A request this worker rejected into the dead letters. */
  deadLettered(): void;
  /** A reply this worker could not deliver: its caller's broker node is gone. */
  unreachableReply(): void;
  /** A request acknowledged unanswered: its caller's deadline had passed before it started, or before a retry. */
  expired(when: ExpiredWhen): void;
  /** The dead-letter queue's depth, asked of the broker at each scrape. */
  watchDeadLetters(count: () => Promise<number>): void;
  /** The mail queue's dead letters, the same way. */
  watchMailDeadLetters(count: () => Promise<number>): void;
  /** Mails in the outbox not yet published, and not yet sent, read from the primary at each scrape. */
  watchOutbox(backlog: () => Promise<{ unpublished: number; unsent: number }>): void;
}

/** A gauge set at each scrape from `read`; a source that cannot answer leaves the last value rather than failing the scrape. */
function scrapedGauge(registry: Registry, name: string, help: string) {
  let read: (() => Promise<number>) | undefined;
  new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      if (read) await read().then((n) => this.set(n), () => undefined);
    },
  });
  return (source: () => Promise<number>) => void (read = source);
}

export function createBackEndMetrics(registry: Registry): BackEndMetrics {
  const registers = [registry];
  const requests = new Counter({
    name: 'gatehouse_backend_requests_total',
    help: 'Requests answered by this Back End, by protocol action and outcome (success, failure: success false, error: the handler threw and the request was returned to the queue)',
    labelNames: ['action', 'outcome'] as const,
    registers,
  });
  const duration = latencyHistogram(
    registry,
    'gatehouse_backend_request_duration_seconds',
    'Time to handle one request, by protocol action',
    ['action'] as const,
  );
  const queries = latencyHistogram(
    registry,
    'gatehouse_db_query_duration_seconds',
    'Database queries and transactions, by pool (read: the standbys, read_write: the primary) and outcome',
    ['pool', 'outcome'] as const,
  );
  const deadLettered = new Counter({
    name: 'gatehouse_backend_dead_lettered_total',
    help: 'Requests this worker rejected into the dead-letter queue (no usable reply address, or malformed without reply_to)',
    registers,
  });
  const unreachableReplies = new Counter({
    name: 'gatehouse_backend_unreachable_replies_total',
    help: 'Replies not delivered because the caller was connected to a broker node that is gone (the request was acknowledged; its outcome is stored)',
    registers,
  });
  const expired = new Counter({
    name: 'gatehouse_backend_expired_requests_total',
    help: "Requests acknowledged unanswered because their caller's deadline had passed, by when (before_start: never run; while_running: failed or timed out past it, not retried)",
    labelNames: ['when'] as const,
    registers,
  });
  const watchDeadLetters = scrapedGauge(
    registry,
    'gatehouse_dead_letter_messages',
    "Messages in the request queue's dead-letter queue, as the broker reports them (rejected or over the delivery limit)",
  );
  const watchMailDeadLetters = scrapedGauge(registry, 'gatehouse_mail_dead_letter_messages', "Mails in the mail queue's dead-letter queue: the Mailers could not send them in five deliveries");
  let backlog: (() => Promise<{ unpublished: number; unsent: number }>) | undefined;
  new Gauge({
    name: 'gatehouse_outbox_mails',
    help: 'Mails in the outbox by state (unpublished: not yet relayed to the mail queue; unsent: not yet accepted by an SMTP server)',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      if (!backlog) return;
      await backlog().then((b) => {
        this.set({ state: 'unpublished' }, b.unpublished);
        this.set({ state: 'unsent' }, b.unsent);
      }, () => undefined);
    },
  });

  return {
    measure: (handle) => async (request, meta) => {
      const started = process.hrtime.bigint();
      let outcome = 'error';
      try {
        const reply = await handle(request, meta);
        outcome = reply.success ? 'success' : 'failure';
        return reply;
      } finally {
        requests.inc({ action: request.action, outcome });
        duration.observe({ action: request.action }, secondsSince(started));
      }
    },
    observeQuery: (pool, seconds, failed) => queries.observe({ pool, outcome: failed ? 'error' : 'ok' }, seconds),
    deadLettered: () => deadLettered.inc(),
    unreachableReply: () => unreachableReplies.inc(),
    expired: (when) => expired.inc({ when }),
    watchDeadLetters,
    watchMailDeadLetters,
    watchOutbox: (read) => void (backlog = read),
  };
}
