import type { Cmd, Connection, MethodParams } from 'rabbitmq-client';

/**
 * Quorum mode's dead letters. A request is dead-lettered when the server rejected it (a
 * malformed one without reply_to) or it went over the delivery limit: those are kept for
 * inspection. A request that expired because nobody was there to answer is dead-lettered
 * too, but nobody wants it, so no binding takes it and it is dropped.
 */

export const deadLetterQueueName = (queue: string) => `${queue}.dead`;
export const deadLetterExchangeName = (queue: string) => `${queue}.dead-letter`;

/** Dead letters are kept a week, and at most this many: a long outage cannot fill the disk. */
export const DEAD_LETTER_MAX_LENGTH = 10_000;
const DEAD_LETTER_TTL_MS = 7 * 24 * 3600 * 1000;

/** The `x-first-death-reason` values kept; RabbitMQ 3.10 sets `expired`, `rejected` or `delivery_limit`. */
const KEPT_REASONS = ['rejected', 'delivery_limit'];

/** What the request queue needs to dead-letter to our exchange. */
export const deadLetterArguments = (queue: string) => ({ 'x-dead-letter-exchange': deadLetterExchangeName(queue) });

export function deadLetterQueueOptions(queue: string): MethodParams[Cmd.QueueDeclare] {
  return {
    queue: deadLetterQueueName(queue),
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-message-ttl': DEAD_LETTER_TTL_MS,
      'x-max-length': DEAD_LETTER_MAX_LENGTH,
      'x-overflow': 'drop-head',
    },
  };
}

/**
 * A headers exchange, bound to the dead queue once per kept reason. The bindings need
 * `all-with-x`: a headers exchange ignores `x-` headers under plain `all`, and then matches
 * every message, expired ones included (checked on RabbitMQ 3.10).
 */
export async function declareDeadLetters(connection: Connection, queue: string): Promise<void> {
  const exchange = deadLetterExchangeName(queue);
  await connection.exchangeDeclare({ exchange, type: 'headers', durable: true });
  await connection.queueDeclare(deadLetterQueueOptions(queue));
  for (const reason of KEPT_REASONS) {
    const args = { 'x-match': 'all-with-x', 'x-first-death-reason': reason };
    await connection.queueBind({ queue: deadLetterQueueName(queue), exchange, arguments: args });
  }
}

/** How many dead letters the broker holds for `queue` now (a passive declare: nothing is created). */
export async function deadLetterCount(connection: Connection, queue: string): Promise<number> {
  const { messageCount } = await connection.queueDeclare({ queue: deadLetterQueueName(queue), passive: true });
  return messageCount;
}
