import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { Request } from '@gatehouse/protocol';
import { AmqpRpcClient, connectAmqp, deadLetterCount, startRpcServer, type Connection, type RequestHandler, type RpcServer } from '@gatehouse/messaging';
import { createMetricsRegistry } from '@gatehouse/runtime';
import { loadBackEndConfig, startBackEnd } from '@gatehouse/back-end';
import { createTestDatabase } from '../harness/postgres.js';
import { startRabbit, type RabbitServer } from '../harness/rabbitmq.js';
import { until } from '../fuzz/services.js';
import { testLogger as logger } from '../support/silent-logger.js';

/**
 * A caller connected to a broker node that then died leaves requests whose direct reply-to
 * address names that node. RabbitMQ 3.10 answers a reply to such an address by closing the
 * replier's connection (INTERNAL_ERROR). The Back End must not keep dying on it until the
 * delivery limit dead-letters the request, and other callers' requests must still be answered.
 *
 * A node outside the cluster stands in for the dead one: to our broker, both are nodes it does
 * not know, and a second node is far quicker to start than a cluster is to fail over.
 */

const amqpUrl = inject('amqpUrl');
let elsewhere: RabbitServer;
let serverSide: Connection;
let replyConnection: Connection;
let callerSide: Connection;
let server: RpcServer;
const queue = `request.unreachable.${randomUUID()}`;
const handled = new Map<string, number>();
let unreachable = 0;

const emailOf = (request: Request) => ('email' in request.data ? String(request.data.email) : '');
/** Answers GETHASH after a pause, so requests overlap, counting how often each email is handled. */
const slowEcho: RequestHandler = async (request) => {
  handled.set(emailOf(request), (handled.get(emailOf(request)) ?? 0) + 1);
  await sleep(200);
  return { success: true, hash: `hash-of-${emailOf(request)}` };
};

beforeAll(async () => {
  elsewhere = await startRabbit({ name: 'elsewhere' });
  serverSide = connectAmqp({ urls: [amqpUrl], name: 'unreachable-test-server', logger });
  replyConnection = connectAmqp({ urls: [amqpUrl], name: 'unreachable-test-replies', logger });
  callerSide = connectAmqp({ urls: [amqpUrl], name: 'unreachable-test-caller', logger });
  server = await startRpcServer({
    connection: serverSide, queue, mode: 'quorum', prefetch: 32, handle: slowEcho, logger,
    replyConnection, onUnreachableReply: () => void unreachable++,
    requeueDelayMs: 50,
  });
});

afterAll(async () => {
  await server?.close();
  await Promise.all([serverSide, replyConnection, callerSide].map((c) => c?.close()));
  await elsewhere?.stop();
});

/** A real direct reply-to address, minted by a node our broker does not know. */
async function addressOnAnotherNode(): Promise<string> {
  const connection = connectAmqp({ urls: [elsewhere.url], name: 'unreachable-test-elsewhere', logger });
  try {
    const channel = await connection.acquire();
    const probe = `probe.${randomUUID()}`;
    await channel.basicConsume({ queue: 'amq.rabbitmq.reply-to', noAck: true }, () => undefined);
    await channel.queueDeclare({ queue: probe, exclusive: true });
    await channel.basicPublish({ routingKey: probe, replyTo: 'amq.rabbitmq.reply-to' }, 'x');
    let message;
    await until('the probe to arrive', 5000, async () => Boolean((message = await channel.basicGet({ queue: probe, noAck: true }))), 50);
    await channel.close();
    return message!.replyTo!;
  } finally {
    await connection.close();
  }
}

/** Publishes a GETHASH whose reply address is `replyTo`, as a caller on that node would have. */
async function publishOrphan(routingKey: string, replyTo: string, email: string): Promise<void> {
  const publisher = callerSide.createPublisher({ confirm: true });
  const body = JSON.stringify({ action: 'GETHASH', data: { email } });
  await publisher.send({ routingKey, replyTo, correlationId: randomUUID(), messageId: randomUUID(), durable: true }, body);
  await publisher.close();
}

it('acknowledges a request whose caller is gone after one redelivery, and still answers everyone else', async () => {
  const goneAddress = await addressOnAnotherNode();
  expect(goneAddress).toMatch(/^amq\.rabbitmq\.reply-to\./);
  const orphan = `orphan-${randomUUID()}@example.com`;
  const rpc = new AmqpRpcClient({ connection: callerSide, queue, mode: 'quorum', timeoutMs: 20_000, logger });
  const emails = Array.from({ length: 20 }, (_, i) => `live-${i}-${randomUUID()}@example.com`);
  try {
    const live = Promise.all(emails.map((email) => rpc.call({ action: 'GETHASH', data: { email } })));
    await publishOrphan(queue, goneAddress, orphan);

    // Its first reply closed the server's connection; the redelivered copy's reply was isolated.
    expect(await live).toEqual(emails.map((email) => ({ success: true, hash: `hash-of-${email}` })));
    await until('the orphan to be given up on', 20_000, () => unreachable === 1);
    await sleep(1500); // time enough for another delivery, if the request had gone back to the queue
    expect(handled.get(orphan)).toBe(2);
    expect(unreachable).toBe(1);
    expect(await deadLetterCount(callerSide, queue)).toBe(0);
    expect((await callerSide.queueDeclare({ queue, passive: true })).messageCount).toBe(0);
    // Nobody's live request was handled more than twice either, and the server still answers.
    expect(Math.max(...emails.map((email) => handled.get(email) ?? 0))).toBeLessThanOrEqual(2);
    await expect(rpc.call({ action: 'GETHASH', data: { email: 'after@example.com' } })).resolves.toEqual({ success: true, hash: 'hash-of-after@example.com' });
  } finally {
    await rpc.close();
  }
});

it('the Back End gives such a request up, counts it, and dead-letters nothing', async () => {
  const backEndQueue = `request.unreachable.be.${randomUUID()}`;
  const registry = createMetricsRegistry();
  const env = { AMQP_URL: amqpUrl, DATABASE_URL: await createTestDatabase(inject('postgresUrl')), REQUEST_QUEUE: backEndQueue };
  const backEnd = await startBackEnd(loadBackEndConfig(env), logger, registry);
  const counted = async () => (await registry.getSingleMetric('gatehouse_backend_unreachable_replies_total')!.get()).values[0]?.value ?? 0;
  try {
    await publishOrphan(backEndQueue, await addressOnAnotherNode(), `orphan-${randomUUID()}@example.com`);
    await until('the Back End to give the orphan up', 20_000, async () => (await counted()) === 1);
    await sleep(1500);
    expect(await counted()).toBe(1);
    expect(await deadLetterCount(callerSide, backEndQueue)).toBe(0);
    const rpc = new AmqpRpcClient({ connection: callerSide, queue: backEndQueue, mode: 'quorum', timeoutMs: 10_000, logger });
    await expect(rpc.call({ action: 'GETHASH', data: { email: 'nobody@example.com' } })).resolves.toMatchObject({ success: false });
    await rpc.close();
  } finally {
    await backEnd.stop();
  }
});
