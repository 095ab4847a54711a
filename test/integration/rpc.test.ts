import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Messages } from '@gatehouse/protocol';
import { AmqpRpcClient, connectAmqp, startRpcServer, type Connection, type RequestHandler } from '@gatehouse/messaging';
import type { Database } from '@gatehouse/database';
import { createRequestHandler, DEFAULT_POLICIES } from '@gatehouse/back-end';
import { startBackEndFixture, type BackEndFixture } from '../support/back-end-fixture.js';
import { getOne, rawReply, rawRequest } from '../support/raw-amqp.js';
import { testLogger as logger } from '../support/silent-logger.js';
import { newEmail } from '../support/test-ids.js';
import { startDoomedWorker } from '../support/doomed-worker.js';

let fixture: BackEndFixture;
let queue: string;
let connection: Connection;
let rpc: AmqpRpcClient;
let db: Database;

beforeAll(async () => {
  fixture = await startBackEndFixture('rpc-test');
  ({ queue, connection, rpc, primary: db } = fixture);
});

afterAll(() => fixture?.stop());

describe('REGISTER and GETHASH over a real broker and database', () => {
  it('registers a user, then refuses the same email in another case', async () => {
    const email = newEmail();
    expect(await rpc.call({ action: 'REGISTER', data: { email, hash: 'hash-1' } })).toEqual({ success: true });
    const again = await rpc.call({ action: 'REGISTER', data: { email: ` ${email.toUpperCase()} `, hash: 'hash-2' } });
    expect(again).toEqual({ success: false, message: Messages.userExists });
  });

  it('returns the stored hash for a known email, in any case, and success false otherwise', async () => {
    const email = newEmail();
    await rpc.call({ action: 'REGISTER', data: { email, hash: 'the-hash' } });
    expect(await rpc.call({ action: 'GETHASH', data: { email: email.toUpperCase() } })).toEqual({ success: true, hash: 'the-hash' });
    expect(await rpc.call({ action: 'GETHASH', data: { email: newEmail() } })).toEqual({ success: false });
  });

  it('lets exactly one of many concurrent registrations of one email succeed', async () => {
    const email = newEmail();
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, i) => rpc.call({ action: 'REGISTER', data: { email, hash: `h${i}` } })),
    );
    expect(replies.filter((r) => r.success)).toHaveLength(1);
    const rows = await db.readWrite`SELECT count(*)::int AS n FROM users WHERE lower(email) = ${email}`;
    expect(rows[0]?.n).toBe(1);
  });
});

describe('protocol errors', () => {
  it.each([
    ['no action', { data: { email: 'a@b.io' } }, Messages.noAction],
    ['an unknown action', { action: 'DROP TABLE', data: {} }, Messages.unknownAction],
  ])('answers %s with the textbook message', async (_name, request, message) => {
    expect(await rawRequest(connection, queue, Buffer.from(JSON.stringify(request)))).toEqual({ success: false, message });
  });

  it('answers invalid data with what is wrong', async () => {
    const reply = await rawRequest(connection, queue, Buffer.from(JSON.stringify({ action: 'REGISTER', data: { email: 'x' } })));
    expect(reply).toMatchObject({ success: false, message: expect.stringMatching(/data\.email.*data\.hash/) });
  });

  it('answers malformed JSON, echoing the correlation id, and keeps serving', async () => {
    const reply = await rawReply(connection, queue, Buffer.from('{"action": "GETHASH",'), { correlationId: 'c-42' });
    expect(reply.body).toMatchObject({ success: false, message: expect.stringMatching(/^Invalid JSON: /) });
    expect(reply.correlationId).toBe('c-42');
    expect(await rpc.call({ action: 'GETHASH', data: { email: newEmail() } })).toEqual({ success: false });
  });

  it('dead-letters a malformed message that has no reply_to', async () => {
    const marker = `poison-${randomUUID()}`;
    const channel = await connection.acquire();
    await channel.basicPublish({ routingKey: queue }, Buffer.from(marker));
    await channel.close();
    expect(await getOne(connection, `${queue}.dead`)).toBe(marker);
  });
});

describe('redelivery', () => {
  it('answers a REGISTER redelivered after its worker died with the reply of its first delivery', async () => {
    const redeliveryQueue = `request.${randomUUID()}`;
    const handle = createRequestHandler(db, logger, DEFAULT_POLICIES);
    const email = newEmail();

    // Worker 1 commits the registration, then its connection dies before it can reply or ack.
    const { committed: firstDeliveryCommitted } = await startDoomedWorker(fixture.amqpUrl, redeliveryQueue, handle);

    const client = new AmqpRpcClient({ connection, queue: redeliveryQueue, mode: 'quorum', timeoutMs: 20_000, logger });
    const reply = client.call({ action: 'REGISTER', data: { email, hash: 'h' } });
    await firstDeliveryCommitted;

    // Worker 2 gets the redelivered request.
    const seen: (string | undefined)[] = [];
    const survivor = connectAmqp({ urls: [fixture.amqpUrl], name: 'survivor', logger });
    const recording: RequestHandler = (request, meta) => (seen.push(meta.requestId), handle(request, meta));
    const server = await startRpcServer({ connection: survivor, queue: redeliveryQueue, mode: 'quorum', prefetch: 1, handle: recording, logger });

    expect(await reply).toEqual({ success: true });
    expect(seen).toHaveLength(1);
    const rows = await db.readWrite`SELECT count(*)::int AS n FROM users WHERE lower(email) = ${email}`;
    expect(rows[0]?.n).toBe(1);
    await client.close();
    await server.close();
    await survivor.close();
  });
});
