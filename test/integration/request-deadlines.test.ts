import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  AmqpRpcClient,
  connectAmqp,
  REMAINING_MS_HEADER,
  startRpcServer,
  type Connection,
  type ExpiredWhen,
  type RequestMeta,
} from '@gatehouse/messaging';
import { until } from '../fuzz/services.js';
import { rawRequest } from '../support/raw-amqp.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { testLogger as logger } from '../support/silent-logger.js';

/** Issue 17, section 4: each request carries its caller's remaining time across the bus. */
const amqpUrl = inject('amqpUrl');
let connection: Connection;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(() => void (connection = connectAmqp({ urls: [amqpUrl], name: 'request-deadlines-test', logger })));
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});
afterAll(() => connection?.close());

/** A quorum-mode server that records what it ran and what it let expire. */
async function recordingServer(queue: string) {
  const served: RequestMeta[] = [];
  const expired: ExpiredWhen[] = [];
  const server = await startRpcServer({
    connection,
    queue,
    mode: 'quorum',
    prefetch: 4,
    logger,
    handle: async (_request, meta) => (served.push(meta), { success: true, hash: 'h' }),
    onExpired: (when) => expired.push(when),
  });
  cleanups.push(() => server.close());
  return { served, expired };
}

const body = Buffer.from(JSON.stringify({ action: 'GETHASH', data: { email: 'ann@example.com' } }));

describe('the Back End side', () => {
  it('acknowledges a request whose deadline passed without running it, and counts it', async () => {
    const queue = `request.deadline.${randomUUID()}`;
    const { served, expired } = await recordingServer(queue);
    const publisher = connection.createPublisher({ confirm: true });
    cleanups.push(() => publisher.close());
    await publisher.send({ routingKey: queue, messageId: randomUUID(), headers: { [REMAINING_MS_HEADER]: 0 } }, body);
    await until('the request to be handled', 20_000, () => expired.length + served.length > 0, 50);
    expect(expired).toEqual(['before_start']);
    expect(served).toHaveLength(0);
    const { messageCount } = await connection.queueDeclare({ queue, passive: true });
    expect(messageCount).toBe(0); // acknowledged, not requeued or dead-lettered
  });

  it('serves a request with a malformed deadline header as one without a deadline', async () => {
    const queue = `request.deadline.${randomUUID()}`;
    const { served } = await recordingServer(queue);
    const reply = await rawRequest(connection, queue, body, { messageId: randomUUID(), headers: { [REMAINING_MS_HEADER]: 'soon' } });
    expect(reply).toEqual({ success: true, hash: 'h' });
    expect(served.map((meta) => meta.deadline)).toEqual([undefined]);
  });

  it('gives the handler the caller’s deadline', async () => {
    const queue = `request.deadline.${randomUUID()}`;
    const { served } = await recordingServer(queue);
    const rpc = new AmqpRpcClient({ connection, queue, mode: 'quorum', timeoutMs: 30_000, logger });
    cleanups.push(() => rpc.close());
    const before = performance.now();
    await rpc.call({ action: 'GETHASH', data: { email: 'ann@example.com' } });
    expect(served[0]!.deadline).toBeGreaterThan(before);
    expect(served[0]!.deadline).toBeLessThanOrEqual(performance.now() + 30_000);
  });
});

describe('a call whose publish was not confirmed when its connection dropped', () => {
  it('is sent again on the new connection, and answered', { timeout: 120_000 }, async () => {
    const queue = `request.deadline.${randomUUID()}`;
    const { served } = await recordingServer(queue);
    const proxy = await startTcpProxy(Number(new URL(amqpUrl).port));
    cleanups.push(() => proxy.close());
    const url = new URL(amqpUrl);
    url.port = String(proxy.port);
    const own = connectAmqp({ urls: [url.toString()], name: `request-deadlines-${randomUUID()}`, logger });
    cleanups.push(() => own.close());
    const rpc = new AmqpRpcClient({ connection: own, queue, mode: 'quorum', timeoutMs: 60_000, logger });
    cleanups.push(() => rpc.close());
    expect(await rpc.call({ action: 'GETHASH', data: { email: 'before@example.com' } })).toEqual({ success: true, hash: 'h' });

    // The publish reaches the relay and goes no further: the broker never confirms it.
    proxy.freezeOn('unconfirmed@example.com');
    const call = rpc.call({ action: 'GETHASH', data: { email: 'unconfirmed@example.com' } });
    call.catch(() => undefined);
    await until('the publish to be held', 20_000, () => proxy.frozenOn === 1, 20);
    await proxy.cut();
    proxy.thaw();
    await proxy.restore();
    expect(await call).toEqual({ success: true, hash: 'h' });
    expect(served).toHaveLength(2); // the first call, and the copy: the held publish never arrived
  });
});
