import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AmqpRpcClient, connectAmqp, type Connection } from '@gatehouse/messaging';
import { loadBackEndConfig, startBackEnd, type RunningBackEnd } from '@gatehouse/back-end';
import { createTestDatabase } from '../harness/postgres.js';
import { REPO_ROOT, spawnProcess, type ServiceProcess } from '../support/service-process.js';
import { testLogger as logger } from '../support/silent-logger.js';

// Real pika code written the way the textbook writes it (Debian's python3-pika).
const PYTHON = '/usr/bin/python3';
const amqpUrl = inject('amqpUrl');
const broker = new URL(amqpUrl);
const pikaEnv = (queue: string) => ({
  AMQP_HOST: broker.hostname,
  AMQP_PORT: broker.port,
  AMQP_USER: decodeURIComponent(broker.username),
  AMQP_PASS: decodeURIComponent(broker.password),
  QUEUE: queue,
});

describe("the textbook's Front End against our Back End", () => {
  let backEnd: RunningBackEnd;
  const queue = `request.textbook.${randomUUID()}`;

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase(inject('postgresUrl'));
    const env = { AMQP_URL: amqpUrl, DATABASE_URL: databaseUrl, REQUEST_QUEUE: queue, REQUEST_QUEUE_MODE: 'textbook' };
    backEnd = await startBackEnd(loadBackEndConfig(env), logger);
  });
  afterAll(() => backEnd?.stop());

  it('gets every reply, without correlation ids, on a queue declared as pika declares it', async () => {
    const email = `textbook-${randomUUID()}@example.com`;
    const client = spawnProcess(PYTHON, [`${REPO_ROOT}test/compat/textbook_client.py`, email], pikaEnv(queue));
    expect(await client.exited).toBe(0);
    const replies = client.output().trim().split('\n').map((line) => JSON.parse(line));
    expect(replies).toEqual([
      { success: true },
      { success: false, message: 'User already exists' },
      { success: true, hash: 'pbkdf2:sha256:textbook' },
      { success: false },
      { success: false, message: 'Unknown action' },
      { success: false, message: 'Request does not have action' },
    ]);
  });
});

describe("our Front End's RPC client against the textbook's Back End", () => {
  let textbookBackEnd: ServiceProcess;
  let connection: Connection;
  let rpc: AmqpRpcClient;
  const queue = `request.textbook.${randomUUID()}`;

  beforeAll(async () => {
    textbookBackEnd = spawnProcess(PYTHON, [`${REPO_ROOT}test/compat/textbook_back_end.py`], pikaEnv(queue));
    await textbookBackEnd.waitFor(/Starting consumption/);
    connection = connectAmqp({ urls: [amqpUrl], name: 'compat-test', logger });
    rpc = new AmqpRpcClient({ connection, queue, mode: 'textbook', timeoutMs: 5000, logger });
  });
  afterAll(async () => {
    await rpc?.close();
    await connection?.close();
    await textbookBackEnd?.stop();
  });

  it('registers and reads hashes although the replies carry no correlation id', async () => {
    expect(await rpc.call({ action: 'REGISTER', data: { email: 'ann@example.com', hash: 'h-ann' } })).toEqual({ success: true });
    expect(await rpc.call({ action: 'REGISTER', data: { email: 'ann@example.com', hash: 'x' } })).toEqual({
      success: false,
      message: 'User already exists',
    });
    expect(await rpc.call({ action: 'GETHASH', data: { email: 'ann@example.com' } })).toEqual({ success: true, hash: 'h-ann' });
  });

  it('matches each of many concurrent replies to its own call', async () => {
    const emails = Array.from({ length: 20 }, (_, i) => `user${i}@example.com`);
    await Promise.all(emails.map((email) => rpc.call({ action: 'REGISTER', data: { email, hash: `hash-of-${email}` } })));
    const replies = await Promise.all(emails.map((email) => rpc.call({ action: 'GETHASH', data: { email } })));
    expect(replies).toEqual(emails.map((email) => ({ success: true, hash: `hash-of-${email}` })));
  });
});
