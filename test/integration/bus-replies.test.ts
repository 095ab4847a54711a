import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  AmqpRpcClient,
  connectAmqp,
  deadLetterQueueName,
  RpcTimeoutError,
  startRpcServer,
  type Connection,
  type QueueMode,
  type RequestHandler,
} from '@gatehouse/messaging';
import type { Publisher } from 'rabbitmq-client';
import { getOne } from '../support/raw-amqp.js';
import { testLogger as logger } from '../support/silent-logger.js';

/**
 * Issue 7, section 3: replies go only to reply queues, and quorum mode's client takes only its own.
 * On a real broker, with the messaging package's RPC server (the one the Back End runs) around a
 * stand-in handler: where a reply may go is the server's decision, whatever the handler answers.
 */

let connection: Connection;
let publisher: Publisher;
const cleanups: (() => Promise<unknown>)[] = [];
const handled: string[] = [];
const secretHash: RequestHandler = async (request) => (handled.push(request.action), { success: true, hash: '$argon2id$secret' });
const getHash = Buffer.from(JSON.stringify({ action: 'GETHASH', data: { email: 'victim@example.com' } }));

beforeAll(() => {
  connection = connectAmqp({ urls: [inject('amqpUrl')], name: 'bus-replies-test', logger });
  publisher = connection.createPublisher();
});
afterEach(async () => {
  handled.length = 0;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});
afterAll(async () => {
  await publisher?.close();
  await connection?.close();
});

async function serve(mode: QueueMode): Promise<string> {
  const queue = `request.replies.${randomUUID()}`;
  const server = await startRpcServer({ connection, queue, mode, prefetch: 4, handle: secretHash, logger });
  cleanups.push(() => server.close(), () => connection.queueDelete({ queue }), () => connection.queueDelete({ queue: deadLetterQueueName(queue) }));
  return queue;
}

/** Declares a queue as any broker client could (a server-named one without `name`). */
async function ownQueue(name = ''): Promise<string> {
  const { queue } = await connection.queueDeclare({ queue: name, exclusive: true });
  cleanups.push(() => connection.queueDelete({ queue }));
  return queue;
}

const publish = (queue: string, replyTo: string, messageId: string = randomUUID()) =>
  publisher.send({ routingKey: queue, replyTo, messageId }, getHash);

async function nothingIn(queue: string, waitMs = 1500): Promise<boolean> {
  await new Promise((resolve) => setTimeout(resolve, waitMs));
  return (await connection.basicGet({ queue, noAck: true })) === undefined;
}

describe('the RPC server answers only reply queues', () => {
  it('dead-letters a GETHASH whose reply_to is an ordinary queue, without running it', async () => {
    const queue = await serve('quorum');
    const attacker = await ownQueue(`attacker.${randomUUID()}`);
    await publish(queue, attacker, 'to-attacker');
    const dead = await getOne(connection, deadLetterQueueName(queue), 15_000);
    expect(JSON.parse(dead)).toEqual(JSON.parse(getHash.toString()));
    expect(await nothingIn(attacker)).toBe(true);
    expect(handled).toEqual([]);
  });

  it('refuses a broker-named queue in quorum mode, but answers one in textbook mode', async () => {
    const quorum = await serve('quorum');
    const generated = await ownQueue();
    expect(generated).toMatch(/^amq\.gen-/);
    await publish(quorum, generated);
    await getOne(connection, deadLetterQueueName(quorum), 15_000);
    expect(await nothingIn(generated)).toBe(true);

    const textbook = await serve('textbook');
    await publish(textbook, generated);
    expect(JSON.parse(await getOne(connection, generated, 15_000))).toEqual({ success: true, hash: '$argon2id$secret' });
  });

  it('answers our reply queues and direct reply-to', async () => {
    const queue = await serve('quorum');
    const ours = await ownQueue(`gatehouse.reply.${randomUUID()}`);
    await publish(queue, ours);
    expect(JSON.parse(await getOne(connection, ours, 15_000))).toEqual({ success: true, hash: '$argon2id$secret' });
    const rpc = new AmqpRpcClient({ connection, queue, mode: 'quorum', timeoutMs: 15_000, logger });
    cleanups.push(() => rpc.close());
    expect(await rpc.call({ action: 'GETHASH', data: { email: 'a@example.com' } })).toEqual({ success: true, hash: '$argon2id$secret' });
  });
});

describe('quorum mode takes only the reply with its correlation id', () => {
  /** A rogue Back End: answers every request first without a correlation id, then, if `honest`, with it. */
  async function rogue(queue: string, honest: boolean): Promise<void> {
    const consumer = connection.createConsumer({ queue, queueOptions: { exclusive: true } }, async (msg) => {
      const send = (correlationId?: string, body?: unknown) => publisher.send({ routingKey: msg.replyTo!, correlationId }, JSON.stringify(body));
      await send(undefined, { success: true, hash: 'forged' });
      await send('not-the-call', { success: true, hash: 'forged' });
      if (honest) await send(msg.correlationId, { success: true, hash: 'real' });
    });
    cleanups.push(() => consumer.close());
  }

  it('ignores replies without or with another correlation id', async () => {
    const queue = `request.rogue.${randomUUID()}`;
    await rogue(queue, true);
    const rpc = new AmqpRpcClient({ connection, queue, mode: 'quorum', timeoutMs: 15_000, logger });
    cleanups.push(() => rpc.close());
    expect(await rpc.call({ action: 'GETHASH', data: { email: 'a@example.com' } })).toEqual({ success: true, hash: 'real' });
  });

  it('times out when only replies without its correlation id come', async () => {
    const queue = `request.rogue.${randomUUID()}`;
    await rogue(queue, false);
    const rpc = new AmqpRpcClient({ connection, queue, mode: 'quorum', timeoutMs: 2000, logger });
    cleanups.push(() => rpc.close());
    await expect(rpc.call({ action: 'GETHASH', data: { email: 'a@example.com' } })).rejects.toBeInstanceOf(RpcTimeoutError);
  });
});
