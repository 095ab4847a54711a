import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { AmqpRpcClient, connectAmqp, startRpcServer, type Connection, type RequestHandler, type RpcServer } from '@gatehouse/messaging';
import { until } from '../fuzz/services.js';
import { testLogger as logger } from '../support/silent-logger.js';

/**
 * The RPC server publishes each reply on the channel its request came on, ahead of the
 * request's ack, and without a publisher confirm: a call is six messages, not seven. The
 * guarantee that makes the confirm unnecessary (an ack never outlives a reply that failed) is
 * shown by unreachable-replies.test.ts, whose orphan's reply closes the connection before its ack.
 * Read from the broker's own counters (the management API), which lag by up to 5 s.
 */

const CALLS = 20;
const serverName = `reply-channel-server-${randomUUID()}`;
const queue = `request.reply-channel.${randomUUID()}`;
let serverSide: Connection;
let callerSide: Connection;
let server: RpcServer;

const echo: RequestHandler = async (request) => ({ success: true, hash: `hash-of-${'email' in request.data ? String(request.data.email) : ''}` });

interface ChannelInfo {
  number: number;
  confirm: boolean;
  consumer_count: number;
  message_stats?: { publish?: number; ack?: number };
}

async function api<T>(path: string): Promise<T> {
  const auth = `Basic ${Buffer.from(`${inject('rabbitUser')}:${inject('rabbitPassword')}`).toString('base64')}`;
  const res = await fetch(`http://127.0.0.1:${inject('amqpManagementPort')}/api/${path}`, { headers: { authorization: auth } });
  if (res.status !== 200) throw new Error(`GET /api/${path}: ${res.status}`);
  return (await res.json()) as T;
}

/** The channels of the connection the server opened, found by the name it gave the broker. */
async function serverChannels(): Promise<ChannelInfo[]> {
  const connections = await api<{ name: string; client_properties?: { connection_name?: string } }[]>('connections');
  const mine = connections.find((c) => c.client_properties?.connection_name === serverName);
  return mine ? api<ChannelInfo[]>(`connections/${encodeURIComponent(mine.name)}/channels`) : [];
}

beforeAll(async () => {
  serverSide = connectAmqp({ urls: [inject('amqpUrl')], name: serverName, logger });
  callerSide = connectAmqp({ urls: [inject('amqpUrl')], name: `reply-channel-caller-${randomUUID()}`, logger });
  server = await startRpcServer({ connection: serverSide, queue, mode: 'quorum', prefetch: 8, handle: echo, logger });
});

afterAll(async () => {
  await server?.close();
  await Promise.all([serverSide, callerSide].map((c) => c?.close()));
});

it('publishes every reply on the request\'s own channel, with no confirm, and acks each request there', async () => {
  const rpc = new AmqpRpcClient({ connection: callerSide, queue, mode: 'quorum', timeoutMs: 10_000, logger });
  const emails = Array.from({ length: CALLS }, (_, i) => `reply-${i}@example.com`);
  try {
    expect(await Promise.all(emails.map((email) => rpc.call({ action: 'GETHASH', data: { email } })))).toEqual(
      emails.map((email) => ({ success: true, hash: `hash-of-${email}` })),
    );
  } finally {
    await rpc.close();
  }
  let channels: ChannelInfo[] = [];
  const published = () => channels.reduce((n, c) => n + (c.message_stats?.publish ?? 0), 0);
  await until('the broker to count the replies', 20_000, async () => ((channels = await serverChannels()), published() >= CALLS), 500);

  expect(published()).toBe(CALLS);
  const consuming = channels.filter((c) => c.consumer_count > 0);
  expect(consuming).toHaveLength(1);
  // The consuming channel sent all the replies and all the acks; no channel asked for confirms.
  expect(consuming[0]!.message_stats).toMatchObject({ publish: CALLS, ack: CALLS });
  expect(channels.filter((c) => c.confirm)).toEqual([]);
});
