import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  AmqpRpcClient, connectAmqp, createMailPublisher, deadLetterQueueName, declareMailQueue, startRpcServer, type Connection, type RpcServer,
} from '@gatehouse/messaging';
import { backEndPermissions, frontEndPermissions, mailerPermissions, MONITOR_BROKER_TAGS, monitorPermissions } from '@gatehouse/operations';
import { createBrokerUser, deleteBrokerUser } from '../support/rabbit-management.js';
import { testLogger as logger } from '../support/silent-logger.js';

/**
 * Issue 7, section 3: one broker user per tier, with the permission regexes the local cluster
 * gives them (packages/operations/src/broker-users.ts). A normal call works end to end; the Front
 * End's user cannot take requests off the queue.
 */

const queue = `request.users.${randomUUID()}`;
const mailQueue = `mail.users.${randomUUID()}`;
const suffix = randomBytes(4).toString('hex');
const users = { frontEnd: `fe-${suffix}`, backEnd: `be-${suffix}`, monitor: `mon-${suffix}`, mailer: `mail-${suffix}` };
const password = randomBytes(18).toString('base64url');
let frontEnd: Connection;
let backEnd: Connection;
let server: RpcServer;
let rpc: AmqpRpcClient;

function connectAs(user: string): Connection {
  const url = new URL(inject('amqpUrl'));
  [url.username, url.password] = [user, password];
  return connectAmqp({ urls: [url.toString()], name: `broker-users-${user}`, logger });
}

beforeAll(async () => {
  await createBrokerUser(users.frontEnd, password, frontEndPermissions());
  await createBrokerUser(users.backEnd, password, backEndPermissions(queue, mailQueue));
  await createBrokerUser(users.mailer, password, mailerPermissions(mailQueue));
  await createBrokerUser(users.monitor, password, monitorPermissions(), MONITOR_BROKER_TAGS);
  [frontEnd, backEnd] = [connectAs(users.frontEnd), connectAs(users.backEnd)];
  server = await startRpcServer({ connection: backEnd, queue, mode: 'quorum', prefetch: 4, logger, handle: async () => ({ success: true, hash: 'h' }) });
  rpc = new AmqpRpcClient({ connection: frontEnd, queue, mode: 'quorum', timeoutMs: 15_000, logger });
});
afterAll(async () => {
  await rpc?.close();
  await server?.close();
  await backEnd?.queueDelete({ queue }).catch(() => undefined);
  await backEnd?.queueDelete({ queue: deadLetterQueueName(queue) }).catch(() => undefined);
  await backEnd?.queueDelete({ queue: mailQueue }).catch(() => undefined);
  await backEnd?.queueDelete({ queue: deadLetterQueueName(mailQueue) }).catch(() => undefined);
  await Promise.all([frontEnd?.close(), backEnd?.close()]);
  await Promise.all(Object.values(users).map((user) => deleteBrokerUser(user)));
});

/** Runs `op` on a fresh channel of `connection`; resolves with the error code, or 'ok'. */
async function attempt(connection: Connection, op: (ch: Awaited<ReturnType<Connection['acquire']>>) => Promise<unknown>): Promise<string> {
  const channel = await connection.acquire();
  try {
    await op(channel);
    return 'ok';
  } catch (err) {
    return String((err as { code?: string }).code);
  } finally {
    await channel.close().catch(() => undefined);
  }
}

describe('one broker user per tier', () => {
  it('carries a normal call end to end (the Back End declared its queues as its own user)', async () => {
    expect(await rpc.call({ action: 'GETHASH', data: { email: 'a@example.com' } })).toEqual({ success: true, hash: 'h' });
  });

  it('refuses the Front End\'s user any way of taking or touching the requests', async () => {
    expect(await attempt(frontEnd, (ch) => ch.basicConsume({ queue }, () => undefined))).toBe('ACCESS_REFUSED');
    expect(await attempt(frontEnd, (ch) => ch.basicGet({ queue }))).toBe('ACCESS_REFUSED');
    expect(await attempt(frontEnd, (ch) => ch.queuePurge({ queue }))).toBe('ACCESS_REFUSED');
    expect(await attempt(frontEnd, (ch) => ch.queueDelete({ queue }))).toBe('ACCESS_REFUSED');
    expect(await attempt(frontEnd, (ch) => ch.basicGet({ queue: deadLetterQueueName(queue) }))).toBe('ACCESS_REFUSED');
    expect(await attempt(frontEnd, (ch) => ch.queueDeclare({ queue: `attacker.${suffix}` }))).toBe('ACCESS_REFUSED');
  });

  it('refuses the Back End\'s user other queues', async () => {
    expect(await attempt(backEnd, (ch) => ch.queueDeclare({ queue: `gatehouse.reply.${suffix}` }))).toBe('ACCESS_REFUSED');
    expect(await attempt(backEnd, (ch) => ch.queueDeclare({ queue: `attacker.${suffix}` }))).toBe('ACCESS_REFUSED');
  });

  it('lets the Front End\'s user run textbook mode\'s reply queues', async () => {
    const textbook = new AmqpRpcClient({ connection: frontEnd, queue, mode: 'textbook', timeoutMs: 15_000, logger });
    try {
      expect(await textbook.call({ action: 'GETHASH', data: { email: 'a@example.com' } })).toEqual({ success: true, hash: 'h' });
    } finally {
      await textbook.close();
    }
  });
});

describe("the Mailer's user", () => {
  it('takes the mail the Back End published, and calls the Back End, but cannot take requests', async () => {
    const publisher = createMailPublisher(backEnd, mailQueue, 'quorum');
    const mailer = connectAs(users.mailer);
    const calls = new AmqpRpcClient({ connection: mailer, queue, mode: 'quorum', timeoutMs: 15_000, logger });
    try {
      await publisher.publish('0e0c3a4e-9a52-4c1e-b5a3-3f0d2a1b9c8d');
      await declareMailQueue(mailer, mailQueue, 'quorum');
      const got = await mailer.basicGet({ queue: mailQueue, noAck: true });
      expect(got?.body).toEqual({ id: '0e0c3a4e-9a52-4c1e-b5a3-3f0d2a1b9c8d' });
      expect(await calls.call({ action: 'MAIL_SENT', data: { id: '0e0c3a4e-9a52-4c1e-b5a3-3f0d2a1b9c8d' } })).toEqual({ success: true, hash: 'h' });
      expect(await attempt(mailer, (ch) => ch.basicGet({ queue }))).toBe('ACCESS_REFUSED');
      expect(await attempt(mailer, (ch) => ch.queueDeclare({ queue: `attacker.${suffix}` }))).toBe('ACCESS_REFUSED');
      expect(await attempt(frontEnd, (ch) => ch.basicGet({ queue: mailQueue }))).toBe('ACCESS_REFUSED');
    } finally {
      await calls.close();
      await publisher.close();
      await mailer.close();
    }
  });
});

describe('the monitoring user (the Front End\'s /status)', () => {
  it('can touch nothing over AMQP: no consuming, getting, publishing or declaring', async () => {
    const monitor = connectAs(users.monitor);
    try {
      expect(await attempt(monitor, (ch) => ch.basicConsume({ queue }, () => undefined))).toBe('ACCESS_REFUSED');
      expect(await attempt(monitor, (ch) => ch.basicGet({ queue }))).toBe('ACCESS_REFUSED');
      expect(await attempt(monitor, (ch) => ch.queueDeclare({ queue: `gatehouse.reply.${suffix}` }))).toBe('ACCESS_REFUSED');
      expect(await attempt(monitor, async (ch) => {
        await ch.confirmSelect();
        await ch.basicPublish({ routingKey: queue }, 'x');
      })).toBe('ACCESS_REFUSED');
    } finally {
      await monitor.close();
    }
  });

  it('reads the request queue and the tiers\' connections through the management API', async () => {
    const auth = `Basic ${Buffer.from(`${users.monitor}:${password}`).toString('base64')}`;
    const base = `http://127.0.0.1:${inject('amqpManagementPort')}/api`;
    const q = await fetch(`${base}/queues/%2F/${encodeURIComponent(queue)}`, { headers: { authorization: auth } });
    expect(q.status).toBe(200);
    expect(((await q.json()) as { name: string }).name).toBe(queue);
    expect((await fetch(`${base}/connections`, { headers: { authorization: auth } })).status).toBe(200);
    expect((await fetch(`${base}/nodes`, { headers: { authorization: auth } })).status).toBe(200);
  });
});
