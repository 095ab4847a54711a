import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AmqpRpcClient, connectAmqp, type Connection } from '@gatehouse/messaging';
import { loadBackEndConfig, startBackEnd, type RunningBackEnd } from '@gatehouse/back-end';
import { createTestDatabase } from '../harness/postgres.js';
import { FormClient } from '../support/form-client.js';
import { leakedSecrets, logLines } from '../support/log-lines.js';
import { REPO_ROOT, spawnProcess, type ServiceProcess } from '../support/service-process.js';
import { testLogger as logger } from '../support/silent-logger.js';
import { startFrontEndProcess } from '../support/stack.js';

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

// Issue 11 §6: with SESSION_STORE=cookie our whole Front End needs only REGISTER and GETHASH.
describe("our Front End with SESSION_STORE=cookie against the textbook's Back End", () => {
  let textbookBackEnd: ServiceProcess;
  let frontEnd: { url: string; process: ServiceProcess };
  const queue = `request.textbook.${randomUUID()}`;

  beforeAll(async () => {
    textbookBackEnd = spawnProcess(PYTHON, [`${REPO_ROOT}test/compat/textbook_back_end.py`], pikaEnv(queue));
    await textbookBackEnd.waitFor(/Starting consumption/);
    frontEnd = await startFrontEndProcess({ AMQP_URL: amqpUrl, REQUEST_QUEUE: queue, REQUEST_QUEUE_MODE: 'textbook', SESSION_STORE: 'cookie' });
  });
  afterAll(async () => {
    await frontEnd?.process.stop();
    await textbookBackEnd?.stop();
  });

  it('registers, logs in, shows /secret and logs out, with the session in a cookie', async () => {
    const email = `cookie-${randomUUID()}@example.com`;
    const password = 'Tr0ub4dor & horse';
    const browser = new FormClient(frontEnd.url);

    const registered = await browser.submit('/register', { email, password });
    expect(registered.status).toBe(303);
    const sessionCookies = [browser.cookie('session')!];
    const secret = await browser.get('/secret');
    expect(secret.status).toBe(200);
    expect(secret.body).toContain(email);
    expect(secret.body).not.toContain('/logout-everywhere'); // the Back End cannot help with that

    expect((await browser.submit('/logout', {})).status).toBe(303);
    const afterLogout = await browser.get('/secret');
    expect(afterLogout.status).toBe(303);
    expect(afterLogout.location).toBe('/login?next=%2Fsecret');

    expect((await new FormClient(frontEnd.url).submit('/login', { email, password: 'not the password' })).status).toBe(401);
    expect((await browser.submit('/login', { email, password })).status).toBe(303);
    sessionCookies.push(browser.cookie('session')!);
    expect((await browser.get('/secret')).body).toContain(email);
    expect((await browser.submit('/register', { email, password })).status).toBe(409);
    expect((await browser.submit('/logout', {})).status).toBe(303);
    expect((await browser.get('/secret')).location).toBe('/login?next=%2Fsecret');

    // Said once, at start-up: what this mode does without.
    const said = logLines(frontEnd.process.output()).filter((line) => line.sessionStore === 'cookie');
    expect(said.map((line) => line.msg)).toEqual([expect.stringMatching(/only REGISTER and GETHASH: no account lockout, no "log out everywhere", no audit log/)]);
    expect(frontEnd.process.output()).not.toMatch(/Unknown action/);
    expect(sessionCookies.every(Boolean)).toBe(true);
    expect(leakedSecrets(frontEnd.process.output(), { password: [password], 'session cookie': sessionCookies })).toEqual([]);
  });
});
