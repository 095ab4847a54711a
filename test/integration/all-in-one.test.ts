import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { connectDatabase, migrate, type Database } from '@gatehouse/database';
import { startAllInOne, type RunningGatehouse } from '../../services/all-in-one/src/all-in-one.js';
import { loadAllInOneConfig } from '../../services/all-in-one/src/config.js';
import { freePort } from '../harness/free-port.js';
import { createTestDatabase } from '../harness/postgres.js';
import { FormClient } from '../support/form-client.js';
import { testLogger } from '../support/silent-logger.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

// `npm start`'s in-process mode (no AMQP_URL), here on a real PostgreSQL behind a cuttable proxy.
let db: Database;
let proxy: TcpProxy;
let gatehouse: RunningGatehouse;
let dataDir: string;

beforeAll(async () => {
  const url = new URL(await createTestDatabase(inject('postgresUrl')));
  db = connectDatabase({ url: url.toString() });
  await migrate(db.readWrite);
  await db.readWrite`INSERT INTO processed_requests (request_id, reply, processed_at) VALUES
    ('old', '{}', now() - interval '25 hours'), ('new', '{}', now())`;
  proxy = await startTcpProxy(Number(url.port));
  url.port = String(proxy.port);
  dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-all-in-one-'));
  const env = { DATABASE_URL: url.toString(), PORT: String(await freePort()), DATA_DIR: dataDir, RPC_TIMEOUT_MS: '60000', LOG_LEVEL: 'silent' };
  gatehouse = await startAllInOne(loadAllInOneConfig(env), testLogger);
});

afterAll(async () => {
  await gatehouse?.stop();
  await proxy?.close();
  await db?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it('prunes processed_requests itself, as a Back End would', async () => {
  const ids = async () => (await db.readWrite<{ request_id: string }[]>`SELECT request_id FROM processed_requests`).map((r) => r.request_id);
  await expect.poll(ids, { timeout: 30_000 }).not.toContain('old');
  expect(await ids()).toContain('new');
});

it('answers the busy page (503), not a 500, when the database is unreachable', async () => {
  const password = 'all in one password';
  expect(await new FormClient(gatehouse.url).submit('/register', { email: 'ada@example.com', password })).toMatchObject({ status: 303 });
  await proxy.cut();
  const page = await new FormClient(gatehouse.url).submit('/login', { email: 'ada@example.com', password });
  expect(page.status).toBe(503);
  expect(page.body).toContain('The service is busy. Please try again in a moment.');
  await proxy.restore();
});
