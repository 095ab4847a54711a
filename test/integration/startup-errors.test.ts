import { randomUUID } from 'node:crypto';
import { expect, inject, it } from 'vitest';
import { connectAmqp } from '@gatehouse/messaging';
import { freePort } from '../harness/free-port.js';
import { createTestDatabase } from '../harness/postgres.js';
import { spawnService } from '../support/service-process.js';
import { testLogger as logger } from '../support/silent-logger.js';

const amqpUrl = inject('amqpUrl');

it('stops with a clear message when the request queue exists with other arguments', async () => {
  const queue = `request.${randomUUID()}`;
  const connection = connectAmqp({ urls: [amqpUrl], name: 'mismatch-test', logger });
  await connection.queueDeclare({ queue, durable: false }); // as the textbook declares it
  const backEnd = spawnService('services/back-end/src/main.ts', {
    AMQP_URL: amqpUrl,
    DATABASE_URL: await createTestDatabase(inject('postgresUrl')),
    REQUEST_QUEUE: queue,
    REQUEST_QUEUE_MODE: 'quorum',
  });
  expect(await backEnd.exited).toBe(1);
  expect(backEnd.output()).toContain(`Queue \\"${queue}\\" already exists with arguments that do not match REQUEST_QUEUE_MODE=quorum`);
  expect(backEnd.output()).not.toMatch(/PRECONDITION_FAILED.*\n\s+at /);
  await connection.queueDelete({ queue });
  await connection.close();
});

it.each([
  ['back-end', 'services/back-end/src/main.ts', /AMQP_URL: is required[\s\S]*DATABASE_URL: is required/],
  ['front-end', 'services/front-end/src/main.ts', /AMQP_URL: is required[\s\S]*SESSION_SECRET: is required/],
])('the %s refuses to start without its required settings and names them', async (_name, script, message) => {
  const service = spawnService(script, { PORT: 'not-a-port' });
  expect(await service.exited).toBe(2);
  expect(service.output()).toMatch(message);
});

it.each([
  ['back-end', 'services/back-end/src/main.ts', { AMQP_URL: amqpUrl, DATABASE_URL: 'postgres://u:s3cret-pw@127.0.0.1:1/db' }],
  ['front-end', 'services/front-end/src/main.ts', { AMQP_URL: amqpUrl, SESSION_SECRET: 'x'.repeat(40) }],
  ['npm start', 'services/all-in-one/src/main.ts', { AMQP_URL: amqpUrl }],
])('%s prints a bad configuration as plain lines, every variable at once, and exits 2', async (_name, script, good) => {
  const service = spawnService(script, { ...good, LOG_LEVEL: 'loud', REQUEST_QUEUE_MODE: 'fast' });
  expect(await service.exited).toBe(2);
  const lines = service.output().trim().split('\n');
  expect(lines[0]).toMatch(/^Invalid .* configuration:$/);
  expect(lines.slice(1).sort()).toEqual([
    expect.stringMatching(/^  - LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent$/),
    expect.stringMatching(/^  - REQUEST_QUEUE_MODE: must be "quorum" or "textbook"$/),
  ]);
});

it('waits for an unreachable database with exponential backoff, logging each wait', async () => {
  const nobodyListens = await freePort();
  const backEnd = spawnService('services/back-end/src/main.ts', {
    AMQP_URL: amqpUrl,
    DATABASE_URL: `postgres://gatehouse:pw@127.0.0.1:${nobodyListens}/gatehouse`,
  });
  try {
    // Three waits: [1, 2] alone would fit a linear backoff too; 1, 2, 4 doubles (the third is logged 3 s in).
    await backEnd.waitFor(/Waiting 4s\.\.\./, 30_000);
    const waits = [...backEnd.output().matchAll(/Waiting (\d+)s\.\.\./g)].map((m) => Number(m[1]));
    expect(waits.slice(0, 3)).toEqual([1, 2, 4]);
    expect(backEnd.output()).toContain('Connecting to the database...');
  } finally {
    await backEnd.stop('SIGKILL');
  }
});

it('refuses to start on the guest account or an empty database password, naming neither secret', async () => {
  const backEnd = spawnService('services/back-end/src/main.ts', {
    AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
    DATABASE_URL: 'postgres://gatehouse@127.0.0.1:5432/gatehouse',
  });
  expect(await backEnd.exited).toBe(2);
  expect(backEnd.output()).toMatch(/AMQP_URL: uses a well-known default password[\s\S]*DATABASE_URL: has no password/);
  expect(backEnd.output()).not.toContain('guest:guest');
});

/** `url` with its password replaced. */
function withPassword(url: string, password: string): string {
  const u = new URL(url);
  u.password = password;
  return u.toString();
}

it.each([
  ['back-end', 'broker', 'services/back-end/src/main.ts', /RabbitMQ refused the login for user [\w-]+: check AMQP_URL/],
  ['back-end', 'database', 'services/back-end/src/main.ts', /PostgreSQL refused the password for user \w+: check DATABASE_URL/],
  ['front-end', 'broker', 'services/front-end/src/main.ts', /RabbitMQ refused the login for user [\w-]+: check AMQP_URL/],
])('the %s stops with a clear message when the %s refuses its password', async (_tier, server, script, message) => {
  const wrong = 'wrong-password-4a7f9c';
  const databaseUrl = await createTestDatabase(inject('postgresUrl'));
  const service = spawnService(script, {
    AMQP_URL: server === 'broker' ? withPassword(amqpUrl, wrong) : amqpUrl,
    DATABASE_URL: server === 'database' ? withPassword(databaseUrl, wrong) : databaseUrl,
    SESSION_SECRET: 'x'.repeat(40),
    PORT: String(await freePort()),
  });
  expect(await service.exited).toBe(1);
  expect(service.output()).toMatch(message);
  expect(service.output()).not.toContain(wrong);
  expect(service.output()).not.toMatch(/failed to connect in time|undefined: /);
});
