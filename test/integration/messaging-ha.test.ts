import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Request } from '@gatehouse/protocol';
import {
  AmqpRpcClient,
  connectAmqp,
  DEAD_LETTER_MAX_LENGTH,
  deadLetterExchangeName,
  deadLetterQueueName,
  declareRequestQueue,
  RpcUnavailableError,
  startRpcServer,
  type Connection,
  type QueueMode,
  type RequestHandler,
  type RpcServer,
} from '@gatehouse/messaging';
import { queueCounts, until } from '../fuzz/services.js';
import { closeConnections, queueInfo, queueNames } from '../support/rabbit-management.js';
import { testLogger as logger } from '../support/silent-logger.js';

/**
 * Issue 6, section 2: the messaging package's HA features (quorum queues, direct reply-to,
 * dead letters) on the harness's single RabbitMQ node. Replies without a queue per call, nothing
 * lost silently (returns, nacks), and only real poison in the dead queue. What needs several
 * nodes (a leader lost, a node down) is in test/cluster/, on the local cluster.
 */

const amqpUrl = inject('amqpUrl');
const isReplyQueue = (name: string) => name.startsWith('gatehouse.reply.');
const emailOf = (request: Request): string => ('email' in request.data ? String(request.data.email) : '');
/** Answers GETHASH with a hash derived from the email, so every reply says which call it belongs to. */
const echoHash: RequestHandler = async (request) => ({ success: true, hash: `hash-of-${emailOf(request)}` });

let connection: Connection;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(() => {
  connection = connectAmqp({ urls: [amqpUrl], name: 'messaging-ha-test', logger });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});
afterAll(() => connection?.close());

function client(queue: string, mode: QueueMode, timeoutMs = 30_000, on = connection): AmqpRpcClient {
  const rpc = new AmqpRpcClient({ connection: on, queue, mode, timeoutMs, logger });
  cleanups.push(() => rpc.close());
  return rpc;
}

async function server(queue: string, handle: RequestHandler = echoHash, extra: { requeueDelayMs?: number } = {}): Promise<RpcServer> {
  const rpcServer = await startRpcServer({ connection, queue, mode: 'quorum', prefetch: 16, handle, logger, ...extra });
  cleanups.push(() => rpcServer.close());
  return rpcServer;
}

const getHash = (rpc: AmqpRpcClient, email: string) => rpc.call({ action: 'GETHASH', data: { email } });

/** A promise and what resolves it: holds a handler, or tells the test that it ran. */
function latch(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('replies in quorum mode (direct reply-to)', () => {
  it('answers 50 concurrent calls, each with its own reply, without declaring a single queue', async () => {
    const queue = `request.ha.${randomUUID()}`;
    const [arrived, gate] = [latch(), latch()];
    // The first 16 requests wait at the gate, so the calls are surely in flight when we look.
    await server(queue, async (request, meta) => (arrived.open(), await gate.promise, echoHash(request, meta)));
    const before = await queueNames();

    const rpc = client(queue, 'quorum');
    const emails = Array.from({ length: 50 }, (_, i) => `ha-${i}-${randomUUID()}@example.com`);
    const replies = Promise.all(emails.map((email) => getHash(rpc, email)));
    await arrived.promise;
    const during = await queueNames();
    gate.open();

    expect(await replies).toEqual(emails.map((email) => ({ success: true, hash: `hash-of-${email}` })));
    expect(during.filter(isReplyQueue)).toEqual([]);
    expect(during.filter((name) => !before.includes(name) && !name.startsWith(queue))).toEqual([]);
    expect((await queueNames()).filter(isReplyQueue)).toEqual([]);
  });

  it('sends a call in flight again, once, with the same idempotency key, when its connection drops', { timeout: 120_000 }, async () => {
    const queue = `request.ha.${randomUUID()}`;
    const gates = new Map([['held-once@example.com', latch()], ['held-twice@example.com', latch()]]);
    const seen = new Map<string, (string | undefined)[]>();
    await server(queue, async (request, meta) => {
      const email = emailOf(request);
      seen.set(email, [...(seen.get(email) ?? []), meta.requestId]);
      await gates.get(email)?.promise;
      return echoHash(request, meta);
    });
    cleanups.push(async () => gates.forEach((gate) => gate.open()));
    const name = `messaging-ha-dropped-${randomUUID()}`;
    const own = connectAmqp({ urls: [amqpUrl], name, logger });
    cleanups.push(() => own.close());
    const rpc = client(queue, 'quorum', 60_000, own);
    expect(await getHash(rpc, 'before@example.com')).toEqual({ success: true, hash: 'hash-of-before@example.com' });
    const copies = (email: string) => seen.get(email)?.length ?? 0;
    // The management API lists a new connection only after its first statistics tick.
    const drop = () => until('the broker to close our connection', 30_000, async () => (await closeConnections(name)) > 0, 500);

    // Dropped once: the copy sent after reconnecting is answered.
    const resent = getHash(rpc, 'held-once@example.com');
    await until('the request to arrive', 30_000, () => copies('held-once@example.com') === 1, 50);
    await drop();
    await until('the copy to arrive', 30_000, () => copies('held-once@example.com') === 2, 50);
    gates.get('held-once@example.com')!.open();
    expect(await resent).toEqual({ success: true, hash: 'hash-of-held-once@example.com' });
    const [first, second] = seen.get('held-once@example.com')!;
    expect(first).toBeDefined();
    expect(second).toBe(first); // so the Back End runs a write once and answers the copy from its stored reply

    // Dropped twice: the call fails rather than being sent again and again.
    const given = getHash(rpc, 'held-twice@example.com');
    given.catch(() => undefined);
    await until('the request to arrive', 30_000, () => copies('held-twice@example.com') === 1, 50);
    await drop();
    await until('the copy to arrive', 30_000, () => copies('held-twice@example.com') === 2, 50);
    await drop();
    await expect(given).rejects.toBeInstanceOf(RpcUnavailableError);

    await until('a call to be answered after reconnecting', 30_000, () =>
      getHash(rpc, 'after@example.com').then((r) => r.success, () => false),
    );
  });
});

describe('nothing is lost silently', () => {
  it.each(['quorum', 'textbook'] as const)('%s mode: a request nobody can receive fails with RpcUnavailableError at once', { timeout: 120_000 }, async (mode) => {
    const rpc = client(`request.missing.${randomUUID()}`, mode, 60_000);
    const started = Date.now();
    await expect(getHash(rpc, 'lost@example.com')).rejects.toBeInstanceOf(RpcUnavailableError);
    expect(Date.now() - started).toBeLessThan(30_000); // well before the 60 s timeout
  });

  it('textbook mode: a publish the broker refuses (nack) frees its reply queue', async () => {
    const queue = `request.full.${randomUUID()}`;
    await connection.queueDeclare({ queue, exclusive: true, arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' } });
    const before = (await queueNames()).filter(isReplyQueue);
    const rpc = client(queue, 'textbook');

    await expect(getHash(rpc, 'refused@example.com')).rejects.toBeInstanceOf(RpcUnavailableError);

    // The client is still open; only the failed call's reply queue must be gone.
    const left = async () => (await queueNames()).filter((name) => isReplyQueue(name) && !before.includes(name));
    await until('the reply queue of the refused call to be deleted', 20_000, async () => (await left()).length === 0).catch(() => undefined);
    expect(await left()).toEqual([]);
  });
});

describe('dead letters', () => {
  it('keeps rejected and over-the-delivery-limit requests, and lets expired ones go', async () => {
    const queue = `request.dlq.${randomUUID()}`;
    const deadQueue = deadLetterQueueName(queue);
    await declareRequestQueue(connection, queue, 'quorum');
    const publisher = connection.createPublisher({ confirm: true });
    cleanups.push(() => publisher.close());

    // Expired: nobody consumes the queue yet, so the call times out and its request expires.
    const rpc = client(queue, 'quorum', 300);
    await expect(getHash(rpc, 'expired@example.com')).rejects.toThrow(/No reply/);
    await until('the expired request to leave the queue', 30_000, async () => (await queueCounts(connection, queue))?.messageCount === 0, 500);

    // Rejected: malformed and without reply_to. Over the limit: its handler always fails.
    await publisher.send({ routingKey: queue, messageId: 'rejected' }, Buffer.from('not json'));
    const poison = JSON.stringify({ action: 'GETHASH', data: { email: 'poison@example.com' } });
    await publisher.send({ routingKey: queue, messageId: 'over-the-limit' }, Buffer.from(poison));
    await server(
      queue,
      async (request, meta) => {
        if (emailOf(request) === 'poison@example.com') throw new Error('database down');
        return echoHash(request, meta);
      },
      { requeueDelayMs: 10 },
    );

    const dead = new Map<string, unknown>();
    const drain = async () => {
      for (let msg = await connection.basicGet({ queue: deadQueue, noAck: true }); msg; msg = await connection.basicGet({ queue: deadQueue, noAck: true })) {
        dead.set(msg.messageId ?? '(no message id)', msg.headers?.['x-first-death-reason']);
      }
      return dead.size >= 2;
    };
    await until('two dead letters', 60_000, drain);
    // Anything that was going to be dead-lettered has been by now; look once more.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await drain();
    expect(Object.fromEntries(dead)).toEqual({ rejected: 'rejected', 'over-the-limit': 'delivery_limit' });
  });

  it('caps the dead queue by length, dropping the oldest, and declares a week as its age limit', { timeout: 120_000 }, async () => {
    const queue = `request.cap.${randomUUID()}`;
    const deadQueue = deadLetterQueueName(queue);
    await declareRequestQueue(connection, queue, 'quorum');
    cleanups.push(
      () => connection.queueDelete({ queue }),
      () => connection.queueDelete({ queue: deadQueue }),
      () => connection.exchangeDelete({ exchange: deadLetterExchangeName(queue) }),
    );
    // One more dead letter than the cap, sent the way the broker dead-letters a rejected request:
    // to the dead-letter exchange, with the reason its bindings keep. Numbered, oldest first.
    const publisher = connection.createPublisher({ confirm: true });
    cleanups.push(() => publisher.close());
    const deadLetter = (n: number) =>
      publisher.send({ exchange: deadLetterExchangeName(queue), messageId: String(n), headers: { 'x-first-death-reason': 'rejected' } }, Buffer.from('x'));
    for (let n = 0; n <= DEAD_LETTER_MAX_LENGTH; n += 1000) {
      // In order, in batches: drop-head drops by arrival, and confirms bound what is in flight.
      await Promise.all(Array.from({ length: Math.min(1000, DEAD_LETTER_MAX_LENGTH + 1 - n) }, (_, i) => deadLetter(n + i)));
    }
    expect((await queueCounts(connection, deadQueue))?.messageCount).toBe(DEAD_LETTER_MAX_LENGTH);
    // The head is now the second oldest: the oldest (0) was dropped to make room for the newest.
    expect((await connection.basicGet({ queue: deadQueue, noAck: true }))?.messageId).toBe('1');

    // A week is too long to wait for; the declared limit is what the broker enforces.
    expect((await queueInfo(deadQueue))?.arguments).toMatchObject({ 'x-message-ttl': 7 * 24 * 3600 * 1000 });
  });
});

describe('the server, when a direct reply-to client has gone', () => {
  it('keeps answering everyone else', async () => {
    const queue = `request.gone.${randomUUID()}`;
    const [held, gate] = [latch(), latch()];
    const rpcServer = await server(queue, async (request, meta) => {
      if (emailOf(request) === 'gone@example.com') (held.open(), await gate.promise);
      return echoHash(request, meta);
    });

    const goneConnection = connectAmqp({ urls: [amqpUrl], name: `messaging-ha-gone-${randomUUID()}`, logger });
    const gone = new AmqpRpcClient({ connection: goneConnection, queue, mode: 'quorum', timeoutMs: 60_000, logger });
    const orphan = getHash(gone, 'gone@example.com');
    orphan.catch(() => undefined);
    await held.promise;
    await gone.close();
    await goneConnection.close();

    // Others' calls are in flight on the same server when it answers the departed client.
    const rpc = client(queue, 'quorum');
    const emails = Array.from({ length: 20 }, (_, i) => `stay-${i}@example.com`);
    const replies = Promise.all(emails.map((email) => getHash(rpc, email)));
    gate.open();
    expect(await replies).toEqual(emails.map((email) => ({ success: true, hash: `hash-of-${email}` })));
    expect(await getHash(rpc, 'later@example.com')).toEqual({ success: true, hash: 'hash-of-later@example.com' });
    expect(rpcServer.isConsuming()).toBe(true);
  });
});
