import type { QueueMode } from '@gatehouse/runtime';
import type { Connection, MethodParams, Cmd } from 'rabbitmq-client';
import { deadLetterArguments, declareDeadLetters, deadLetterQueueName } from './dead-letters.js';
import { QueueMismatchError } from './errors.js';

type QueueDeclare = MethodParams[Cmd.QueueDeclare];

export type { QueueMode };

/** Quorum mode redelivers a message at most this often before dead-lettering it. */
export const DELIVERY_LIMIT = 5;

/**
 * The request queue's declaration. `textbook` matches pika's `queue_declare(queue='request')`
 * exactly, so the textbook's clients can share the queue; `quorum` is durable and replicated.
 */
export function requestQueueOptions(queue: string, mode: QueueMode): QueueDeclare {
  if (mode === 'textbook') return { queue, durable: false, exclusive: false, autoDelete: false };
  return {
    queue,
    durable: true,
    arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': DELIVERY_LIMIT, ...deadLetterArguments(queue) },
  };
}

/** Declares the request queue (and its dead letters) once, turning a mismatch into a clear error. */
export async function declareRequestQueue(connection: Connection, queue: string, mode: QueueMode): Promise<void> {
  if (mode === 'quorum') await refusingMismatch(deadLetterQueueName(queue), mode, () => declareDeadLetters(connection, queue));
  await refusingMismatch(queue, mode, () => connection.queueDeclare(requestQueueOptions(queue, mode)));
}

async function refusingMismatch(name: string, mode: QueueMode, declare: () => Promise<unknown>): Promise<void> {
  try {
    await declare();
  } catch (err) {
    if ((err as { code?: string }).code === 'PRECONDITION_FAILED') throw new QueueMismatchError(name, mode, err);
    throw err;
  }
}
