import { ConsumerStatus, type AsyncMessage, type Connection } from 'rabbitmq-client';
import type { Logger } from 'pino';
import { mailIdSchema } from '@gatehouse/protocol';
import { declareMailQueue, requestQueueOptions, type QueueMode } from '@gatehouse/messaging';
import type { MailDelivery } from './delivery.js';
import type { MailerMetrics } from './metrics.js';
import { deliverWithRetry, type RetryPolicy } from './retrying.js';

export interface MailConsumerOptions {
  connection: Connection;
  queue: string;
  mode: QueueMode;
  concurrency: number;
  delivery: MailDelivery;
  retry: RetryPolicy;
  logger: Logger;
  metrics?: MailerMetrics;
}

/**
 * Consumes the mail queue: each message is acknowledged only once its mail was sent (or was sent
 * before, or no longer exists). A mail that cannot be sent within the retry policy goes back to
 * the queue; quorum mode's delivery limit then dead-letters it into `<queue>.dead`.
 */
export async function startMailConsumer(options: MailConsumerOptions) {
  const { connection, queue, mode, concurrency, logger } = options;
  await declareMailQueue(connection, queue, mode);
  const stopping = new AbortController();
  const consumer = connection.createConsumer(
    { queue, queueOptions: requestQueueOptions(queue, mode), qos: { prefetchCount: concurrency }, concurrency },
    (msg) => handle(msg, options, stopping.signal),
  );
  consumer.on('error', (err) => logger.error({ err }, 'Mail consumer error'));
  consumer.on('ready', () => logger.info({ queue, mode, concurrency }, 'Consuming the mail queue...'));
  return {
    isConsuming: () => consumer.consumerTag !== '',
    async close() {
      stopping.abort();
      await consumer.close();
    },
  };
}

async function handle(msg: AsyncMessage, options: MailConsumerOptions, signal: AbortSignal): Promise<ConsumerStatus> {
  const id = mailIdOf(msg.body);
  if (id === undefined) {
    options.logger.warn({ messageId: msg.messageId }, 'Mail queue message carries no mail id; dead-lettering it');
    return ConsumerStatus.DROP;
  }
  const deliver = () => deliverWithRetry(options.delivery, id, options.logger.child({ mailId: id }), options.retry, signal);
  const outcome = options.metrics ? await options.metrics.track(deliver) : await deliver();
  if (outcome === 'undeliverable') return ConsumerStatus.DROP;
  if (outcome === 'gave_up' || outcome === 'stopped') return ConsumerStatus.REQUEUE;
  if (outcome === 'gone') options.logger.warn({ mailId: id }, 'Mail is no longer in the outbox; acknowledging it unsent');
  return ConsumerStatus.ACK;
}

/** `{"id": "<uuid>"}` (rabbitmq-client has parsed JSON bodies already). */
function mailIdOf(body: unknown): string | undefined {
  const value = Buffer.isBuffer(body) || typeof body === 'string' ? safeJson(body.toString()) : body;
  const id = typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : undefined;
  return mailIdSchema.safeParse(id).success ? (id as string) : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
