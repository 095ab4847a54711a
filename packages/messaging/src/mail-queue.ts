import type { Connection } from 'rabbitmq-client';
import { declareRequestQueue, type QueueMode } from './request-queue.js';

/** The mail queue's messages: only the outbox row's id; the Mailer claims the mail itself over RPC. */
export interface MailMessage {
  id: string;
}

/**
 * Declares the mail queue as the request queue is declared (quorum mode: replicated, with a
 * delivery limit and dead letters), so a mail that keeps failing ends in `<queue>.dead`.
 */
export async function declareMailQueue(connection: Connection, queue: string, mode: QueueMode): Promise<void> {
  await declareRequestQueue(connection, queue, mode);
}

/** Publishes outbox ids to the mail queue with confirms; the message id is the mail's id. */
export function createMailPublisher(connection: Connection, queue: string, mode: QueueMode) {
  const publisher = connection.createPublisher({ confirm: true, maxAttempts: 2 });
  let declared: Promise<void> | undefined;
  return {
    async publish(id: string): Promise<void> {
      declared ??= declareMailQueue(connection, queue, mode).catch((err: unknown) => {
        declared = undefined;
        throw err;
      });
      await declared;
      const message: MailMessage = { id };
      await publisher.send({ routingKey: queue, messageId: id, durable: mode === 'quorum', mandatory: true }, message);
    },
    close: () => publisher.close(),
  };
}
