import { randomUUID } from 'node:crypto';
import type { Connection, Envelope } from 'rabbitmq-client';

/**
 * Publishes an arbitrary body to `queue`, as a foreign client would, and waits for one
 * reply on a private queue. Used to send what our own client never would.
 */
export async function rawRequest(connection: Connection, queue: string, body: Buffer, props: Envelope = {}, timeoutMs = 5000): Promise<unknown> {
  return (await rawReply(connection, queue, body, props, timeoutMs)).body;
}

/** rawRequest's reply with its properties, for tests about what the reply carries besides its body. */
export async function rawReply(
  connection: Connection,
  queue: string,
  body: Buffer,
  props: Envelope = {},
  timeoutMs = 5000,
): Promise<{ body: unknown; correlationId?: string }> {
  const channel = await connection.acquire();
  try {
    const replyTo = `gatehouse.reply.test-${randomUUID()}`; // the Back End answers only reply queues
    await channel.queueDeclare({ queue: replyTo, exclusive: true, autoDelete: true });
    const reply = new Promise<{ body: unknown; correlationId?: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no reply')), timeoutMs);
      void channel.basicConsume({ queue: replyTo, noAck: true }, (msg) => {
        clearTimeout(timer);
        const body = Buffer.isBuffer(msg.body) ? JSON.parse(msg.body.toString()) : msg.body;
        resolve({ body, ...(msg.correlationId === undefined ? {} : { correlationId: msg.correlationId }) });
      });
    });
    await channel.basicPublish({ routingKey: queue, replyTo, ...props }, body);
    return await reply;
  } finally {
    await channel.close();
  }
}

/** Polls `queue` with basic.get until a message arrives (bounded), and returns its body as text. */
export async function getOne(connection: Connection, queue: string, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const msg = await connection.basicGet({ queue, noAck: true });
    if (msg) return Buffer.isBuffer(msg.body) ? msg.body.toString() : JSON.stringify(msg.body);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Nothing arrived on ${queue} within ${timeoutMs} ms`);
}
