import { existsSync } from 'node:fs';
import postgres from 'postgres';
import { Connection } from 'rabbitmq-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, startPostgres, type PostgresServer } from './postgres.js';
import { isAlive, randomToken, waitForTcp } from './process-utils.js';
import { startRabbit, type RabbitServer } from './rabbitmq.js';

const quiet = { max: 1, onnotice: () => {} };

/** Connect with the given URL and report how the broker answered: 'connected' or the first error's code. */
async function amqpLogin(url: string): Promise<string> {
  const rabbit = new Connection({ url, retryLow: 1000, retryHigh: 1000, connectionTimeout: 3000 });
  const firstError = new Promise<string>((resolve) => {
    rabbit.once('error', (err: { code?: string }) => resolve(err.code ?? String(err)));
  });
  try {
    // disableAutoClose: an auto-closed connection would never resolve the close() below.
    const connected = rabbit.onConnect(5000, true).then(() => 'connected');
    return await Promise.race([connected, firstError]);
  } finally {
    await rabbit.close();
  }
}

async function managementStatus(port: number, user: string, password: string): Promise<number> {
  const auth = Buffer.from(`${user}:${password}`).toString('base64');
  const res = await fetch(`http://127.0.0.1:${port}/api/whoami`, { headers: { authorization: `Basic ${auth}` } });
  await res.body?.cancel();
  return res.status;
}

describe('shared servers from globalSetup', () => {
  it('runs real SQL in a fresh database per caller', async () => {
    const url = await createTestDatabase(inject('postgresUrl'));
    const sql = postgres(url, quiet);
    try {
      await sql`create table greeting (id serial primary key, text text not null)`;
      const [row] = await sql<{ text: string }[]>`insert into greeting (text) values (${'hello'}) returning text`;
      expect(row?.text).toBe('hello');
      const [who] = await sql<{ user: string }[]>`select current_user as user`;
      expect(who?.user).toBe('gatehouse');
    } finally {
      await sql.end();
    }
    // A second test database does not see the first one's tables.
    const other = postgres(await createTestDatabase(inject('postgresUrl')), quiet);
    try {
      const [row] = await other<{ t: string | null }[]>`select to_regclass('greeting')::text as t`;
      expect(row?.t).toBeNull();
    } finally {
      await other.end();
    }
  });

  it('refuses a wrong PostgreSQL password', async () => {
    const url = new URL(inject('postgresUrl'));
    url.password = 'wrong';
    const sql = postgres(url.toString(), quiet);
    try {
      await expect(sql`select 1`).rejects.toMatchObject({ code: '28P01' });
    } finally {
      await sql.end();
    }
  });

  it('round-trips an AMQP message', async () => {
    const rabbit = new Connection(inject('amqpUrl'));
    const queue = `harness-${randomToken(4)}`;
    try {
      let resolveBody: (body: unknown) => void = () => {};
      const received = new Promise<unknown>((resolve) => (resolveBody = resolve));
      // The consumer declares its queue itself; publish only once it is ready.
      const consumer = rabbit.createConsumer({ queue, queueOptions: { exclusive: true } }, (msg) => resolveBody(msg.body));
      await new Promise((resolve) => consumer.once('ready', resolve));
      const publisher = rabbit.createPublisher({ confirm: true });
      await publisher.send(queue, { hello: 'rabbit' });
      await publisher.close();
      await expect(received).resolves.toEqual({ hello: 'rabbit' });
      await consumer.close();
    } finally {
      await rabbit.close();
    }
  });

  it('refuses guest/guest over AMQP and the management API, accepts the test user', async () => {
    const url = new URL(inject('amqpUrl'));
    url.username = 'guest';
    url.password = 'guest';
    expect(await amqpLogin(url.toString())).toBe('ACCESS_REFUSED');
    expect(await amqpLogin(inject('amqpUrl'))).toBe('connected');

    const port = inject('amqpManagementPort');
    expect(await managementStatus(port, 'guest', 'guest')).toBe(401);
    expect(await managementStatus(port, inject('rabbitUser'), inject('rabbitPassword'))).toBe(200);
  });
});

describe('own PostgreSQL', () => {
  let pg: PostgresServer;
  beforeAll(async () => {
    pg = await startPostgres({ name: 'harness' });
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it('keeps committed data across restart() and across kill() + start()', async () => {
    const write = postgres(pg.url, quiet);
    await write`create table kept (value text)`;
    await write`insert into kept values (${'before restart'})`;
    await write.end();

    const firstPid = pg.pid;
    await pg.restart();
    expect(pg.pid).not.toBe(firstPid);
    const afterRestart = postgres(pg.url, quiet);
    expect(await afterRestart`select value from kept`).toEqual([{ value: 'before restart' }]);
    await afterRestart`insert into kept values (${'before crash'})`;
    await afterRestart.end();

    const crashedPid = pg.pid;
    await pg.kill();
    expect(isAlive(crashedPid)).toBe(false);
    await pg.start(); // runs crash recovery
    const afterCrash = postgres(pg.url, quiet);
    const rows = await afterCrash<{ value: string }[]>`select value from kept order by value`;
    await afterCrash.end();
    expect(rows.map((r) => r.value)).toEqual(['before crash', 'before restart']);
  });

  it('stop() ends the postmaster and removes the temp folder', async () => {
    const pid = pg.pid;
    await pg.stop();
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(pg.dataDir)).toBe(false);
  });
});

describe('own RabbitMQ', () => {
  let mq: RabbitServer;
  beforeAll(async () => {
    mq = await startRabbit({ name: 'harness' });
  });
  afterAll(async () => {
    await mq?.stop();
  });

  it('keeps a durable queue and a persistent message across restart()', async () => {
    const queue = `kept-${randomToken(4)}`;
    const before = new Connection(mq.url);
    await before.queueDeclare({ queue, durable: true });
    const publisher = before.createPublisher({ confirm: true });
    await publisher.send({ routingKey: queue, durable: true }, 'survives');
    await publisher.close();
    await before.close();

    await mq.restart();
    expect(await mq.ctl('list_queues', '-q', '--no-table-headers', 'name', 'messages')).toContain(`${queue}\t1`);

    const after = new Connection(mq.url);
    const ch = await after.acquire();
    try {
      const msg = await ch.basicGet({ queue, noAck: true });
      expect(msg?.body).toBe('survives');
    } finally {
      await ch.close();
      await after.close();
    }
  });

  it('stop() frees the AMQP port', async () => {
    await mq.stop();
    await expect(waitForTcp(mq.amqpPort, 200)).rejects.toThrow(/nothing accepted/);
  });
});
