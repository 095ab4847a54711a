import type { Connection, Envelope, Publisher } from 'rabbitmq-client';

export type IsolatedSend = 'sent' | 'unreachable';

/**
 * Replies to redelivered requests, one at a time, on a connection used for nothing else.
 *
 * RabbitMQ 3.10 closes the whole connection with INTERNAL_ERROR when a reply names a direct
 * reply-to address on a node that has left the cluster: the caller was connected to a node that
 * died. Such a request comes back redelivered after it closed our main connection once. Sent
 * here, alone, the failure can only be this reply's, so it is reported as unreachable and the
 * request can be acknowledged (its outcome is stored) instead of closing one worker's
 * connection after another until the delivery limit dead-letters it.
 */
export class IsolatedReplies {
  readonly #publisher: Publisher;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(connection: Connection) {
    // One attempt: a retry would only close the fresh connection again.
    this.#publisher = connection.createPublisher({ confirm: true, maxAttempts: 1 });
  }

  send(envelope: Envelope, body: unknown): Promise<IsolatedSend> {
    const result = this.#queue.then(() => this.#publisher.send(envelope, body)).then(
      (): IsolatedSend => 'sent',
      (err: unknown): IsolatedSend => {
        if ((err as { code?: string }).code === 'INTERNAL_ERROR') return 'unreachable';
        throw err;
      },
    );
    this.#queue = result.catch(() => undefined);
    return result;
  }

  close(): Promise<void> {
    return this.#publisher.close();
  }
}
