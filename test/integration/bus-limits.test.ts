import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BROKER_MAX_MESSAGE_BYTES, MAX_REQUEST_BYTES } from '@gatehouse/protocol';
import { AmqpRpcClient, connectAmqp, startRpcServer, type Connection, type RpcServer } from '@gatehouse/messaging';
import { queueCounts } from '../fuzz/services.js';
import { rawRequest } from '../support/raw-amqp.js';
import { testLogger as logger } from '../support/silent-logger.js';

/**
 * Issue 7, section 3: the broker refuses an oversized message, so no client ever parses it. On a
 * real broker, with the messaging package's RPC server (the one the Back End runs) and a stand-in
 * handler that records what reaches it: the limits are the broker's and the server's, not the handler's.
 */

let connection: Connection;
let server: RpcServer;
const queue = `request.limits.${randomUUID()}`;
const handled: number[] = [];

beforeAll(async () => {
  connection = connectAmqp({ urls: [inject('amqpUrl')], name: 'bus-limits-test', logger });
  server = await startRpcServer({
    connection, queue, mode: 'quorum', prefetch: 4, logger,
    handle: async () => (handled.push(Date.now()), { success: true, hash: 'h' }),
  });
});
afterAll(async () => {
  await server?.close();
  await connection?.queueDelete({ queue }).catch(() => undefined);
  await connection?.close();
});

/** A GETHASH request padded with an ignored field to `size` bytes. */
const padded = (size: number) => {
  const head = '{"action":"GETHASH","data":{"email":"a@example.com"},"pad":"';
  return Buffer.from(head + 'p'.repeat(size - head.length - 2) + '"}');
};

describe('size limits before parsing', () => {
  it('has the broker refuse a message over max_message_size, and the RPC server\'s handler never sees it', async () => {
    const channel = await connection.acquire();
    await channel.confirmSelect();
    const publish = channel.basicPublish({ routingKey: queue, contentType: 'application/json', replyTo: `gatehouse.reply.${randomUUID()}` }, padded(BROKER_MAX_MESSAGE_BYTES + 1));
    await expect(publish).rejects.toMatchObject({ code: 'PRECONDITION_FAILED', message: expect.stringMatching(/larger than configured max size/) });
    expect(channel.active).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(handled).toEqual([]);
    expect((await queueCounts(connection, queue))?.messageCount).toBe(0);
  });

  it('lets a request just over the protocol limit through, to be answered with the error', async () => {
    const reply = await rawRequest(connection, queue, padded(MAX_REQUEST_BYTES + 1), { contentType: 'application/json' }, 15_000);
    expect(reply).toEqual({ success: false, message: `Request is larger than ${MAX_REQUEST_BYTES} bytes` });
    const rpc = new AmqpRpcClient({ connection, queue, mode: 'quorum', timeoutMs: 15_000, logger });
    expect(await rpc.call({ action: 'GETHASH', data: { email: 'a@example.com' } })).toEqual({ success: true, hash: 'h' });
    await rpc.close();
    expect(handled).toHaveLength(1);
  });
});
