import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { AmqpRpcClient, connectAmqp, RpcError, type Connection } from '@gatehouse/messaging';
import { loadBackEndConfig, startBackEnd, type RunningBackEnd } from '@gatehouse/back-end';
import { createTestDatabase } from '../harness/postgres.js';
import { startRabbit, type RabbitServer } from '../harness/rabbitmq.js';
import { testLogger as logger } from '../support/silent-logger.js';

// This file restarts its broker, so it has one of its own.
let rabbit: RabbitServer;
let backEnd: RunningBackEnd;
let connection: Connection;
let rpc: AmqpRpcClient;

beforeAll(async () => {
  rabbit = await startRabbit({ name: 'restart' });
  const databaseUrl = await createTestDatabase(inject('postgresUrl'));
  backEnd = await startBackEnd(loadBackEndConfig({ AMQP_URL: rabbit.url, DATABASE_URL: databaseUrl }), logger);
  connection = connectAmqp({ urls: [rabbit.url], name: 'broker-restart-test', logger });
  rpc = new AmqpRpcClient({ connection, queue: 'request', mode: 'quorum', timeoutMs: 2000, logger });
});

afterAll(async () => {
  await rpc?.close();
  await connection?.close();
  await backEnd?.stop();
  await rabbit?.stop();
});

/** Calls until one succeeds; every failure must be a typed RPC error, never a crash. */
async function callUntilAnswered(email: string, deadlineMs: number) {
  const failures: string[] = [];
  while (Date.now() < deadlineMs) {
    try {
      return { reply: await rpc.call({ action: 'REGISTER', data: { email, hash: 'h' } }), failures };
    } catch (err) {
      expect(err).toBeInstanceOf(RpcError);
      failures.push((err as Error).name);
      await sleep(250);
    }
  }
  throw new Error(`No answer before the deadline; failures: ${failures.join(', ')}`);
}

it('reconnects the RPC client and the Back End by themselves after the broker restarts', async () => {
  expect(await rpc.call({ action: 'REGISTER', data: { email: 'first@example.com', hash: 'h' } })).toEqual({ success: true });

  await rabbit.restart();

  const { reply } = await callUntilAnswered('second@example.com', Date.now() + 60_000);
  expect(reply).toEqual({ success: true });
  expect(rpc.isReady()).toBe(true);
  // The quorum queue and what was registered before the restart are both still there.
  expect(await rpc.call({ action: 'REGISTER', data: { email: 'first@example.com', hash: 'h' } })).toEqual({
    success: false,
    message: 'User already exists',
  });
});
