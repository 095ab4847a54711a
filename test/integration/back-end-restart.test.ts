import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startFrontEnd, type RunningFrontEnd } from '@gatehouse/front-end';
import { createTestDatabase } from '../harness/postgres.js';
import { FormClient } from '../support/form-client.js';
import { testFrontEndConfig } from '../support/front-end-config.js';
import { spawnService, type ServiceProcess } from '../support/service-process.js';
import { testLogger as logger } from '../support/silent-logger.js';

const amqpUrl = inject('amqpUrl');
const queue = `request.${randomUUID()}`;
let backEndEnv: Record<string, string>;
let backEnd: ServiceProcess | undefined;
let frontEnd: RunningFrontEnd;

async function startBackEndProcess(): Promise<ServiceProcess> {
  const child = spawnService('services/back-end/src/main.ts', backEndEnv);
  await child.waitFor(/Starting consumption/);
  return child;
}

beforeAll(async () => {
  backEndEnv = { AMQP_URL: amqpUrl, DATABASE_URL: await createTestDatabase(inject('postgresUrl')), REQUEST_QUEUE: queue };
  backEnd = await startBackEndProcess();
  frontEnd = await startFrontEnd(testFrontEndConfig(amqpUrl, queue, { rpcTimeoutMs: 1500 }), logger);
});

afterAll(async () => {
  await frontEnd?.stop();
  await backEnd?.stop('SIGKILL');
});

it('answers 503 while the Back End is down and recovers when it returns, with no Front End restart', async () => {
  const browser = new FormClient(frontEnd.url);
  const password = 'a long enough password';
  expect(await browser.submit('/register', { email: 'before@example.com', password })).toMatchObject({ status: 303 });

  const stopping = backEnd!;
  expect(await stopping.stop('SIGTERM')).toBe(0);
  expect(stopping.output()).toMatch(/Shutting down/);
  backEnd = undefined;

  const during = await new FormClient(frontEnd.url).submit('/register', { email: 'during@example.com', password });
  expect(during.status).toBe(503);
  expect(during.body).toContain('The service is busy. Please try again in a moment.');

  backEnd = await startBackEndProcess();
  const after = new FormClient(frontEnd.url);
  expect(await after.submit('/register', { email: 'after@example.com', password })).toMatchObject({ status: 303, location: '/' });
  expect(await after.submit('/login', { email: 'before@example.com', password })).toMatchObject({ status: 303 });
  expect((await after.get('/secret')).status).toBe(200);
});
