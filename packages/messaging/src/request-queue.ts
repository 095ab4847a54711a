import type { Connection, MethodParams, Cmd } from 'rabbitmq-client';

type QueueDeclare = MethodParams[Cmd.QueueDeclare];
import { QueueMismatchError } from './errors.js';

export type QueueMode = 'quorum' | 'textbook';

/** Quorum mode redelivers a message at most this often before dead-lettering it. */
export const DELIVERY_LIMIT = 5;

export const deadLetterQueueName = (queue: string) => `${queue}.dead`;

/**
 * The request queue's declaration. `textbook` matches pika's `queue_declare(queue='request')`
 * exactly, so the textbook's clients can share the queue; `quorum` is durable and replicated.
 */
export function requestQueueOptions(queue: string, mode: QueueMode): QueueDeclare {
  if (mode === 'textbook') return { queue, durable: false, exclusive: false, autoDelete: false };
  return {
    queue,
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-delivery-limit': DELIVERY_LIMIT,
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': deadLetterQueueName(queue),
    },
  };
}

/** Dead letters are kept a week for inspection, so a long outage cannot fill the disk. */
const DEAD_LETTER_TTL_MS = 7 * 24 * 3600 * 1000;

function deadLetterQueueOptions(queue: string): QueueDeclare {
  return {
    queue: deadLetterQueueName(queue),
    durable: true,
    arguments: { 'x-queue-type': 'quorum', 'x-message-ttl': DEAD_LETTER_TTL_MS },
  };
}

/** Declares the request queue (and its dead-letter queue) once, turning a mismatch into a clear error. */
export async function declareRequestQueue(connection: Connection, queue: string, mode: QueueMode): Promise<void> {
  try {
    if (mode === 'quorum') await connection.queueDeclare(deadLetterQueueOptions(queue));
    await connection.queueDeclare(requestQueueOptions(queue, mode));
  } catch (err) {
    if ((err as { code?: string }).code === 'PRECONDITION_FAILED') throw new QueueMismatchError(queue, mode, err);
    throw err;
  }
}
