import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { childrenOf } from '@gatehouse/processes';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../harness/free-port.js';
import { FormClient } from '../support/form-client.js';
import { tcpListeningPorts } from '../support/listening-ports.js';
import { startNpmStart, type NpmStart } from '../support/npm-start.js';
import { REPO_ROOT, spawnService, type ServiceProcess } from '../support/service-process.js';

// What `npm start` runs, as a newcomer runs it: no broker, no database server, no settings.
// (npm itself is left out because it does not pass SIGTERM on to the server.)
let running: NpmStart;
let gatehouse: ServiceProcess;
let dataDir: string;
let url: string;
let script: string;

beforeAll(async () => {
  const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  script = /^tsx --conditions=gatehouse-source (\S+)$/.exec(pkg.scripts.start)?.[1] ?? '';
  expect(script, 'npm start should be "tsx --conditions=gatehouse-source <entry point>"').not.toBe('');
  running = await startNpmStart(script);
  ({ process: gatehouse, url, dataDir } = running);
});

afterAll(async () => {
  await running?.stop();
});

it('prints its URL and serves registration and login with embedded PostgreSQL', async () => {
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(gatehouse.output().match(/Gatehouse is running at/g)).toHaveLength(1); // once, plainly
  const user = new FormClient(url);
  const password = 'embedded mode password';
  expect(await user.submit('/register', { email: 'first@example.com', password })).toMatchObject({ status: 303, location: '/' });
  expect(await user.submit('/logout', {})).toMatchObject({ status: 303 });
  expect(await user.get('/secret')).toMatchObject({ status: 303, location: '/login?next=%2Fsecret' });
  expect(await user.submit('/login', { email: 'first@example.com', password: 'wrong password' })).toMatchObject({ status: 401 });
  expect(await user.submit('/login', { email: 'first@example.com', password })).toMatchObject({ status: 303 });
  expect((await user.get('/secret')).body).toContain('first@example.com');
});

it('keeps its data and session secret under DATA_DIR', async () => {
  expect((await readFile(join(dataDir, 'session-secret'), 'utf8')).trim().length).toBeGreaterThanOrEqual(32);
  expect(await readFile(join(dataDir, 'pglite', 'PG_VERSION'), 'utf8')).toMatch(/^\d+/);
});

it('serves its database on a Unix socket in a private folder, not on a TCP port', async () => {
  // A passwordless loopback port let any local user read the hashes, or stall the process.
  expect(tcpListeningPorts(gatehouse.pid)).toEqual([Number(new URL(url).port)]);
  const socketDir = join(dataDir, 'socket');
  expect((await stat(socketDir)).mode & 0o777).toBe(0o700);
  expect((await stat(join(socketDir, '.s.PGSQL.5432'))).isSocket()).toBe(true);
});

it('refuses at once to start a second time on the same DATA_DIR, naming the first', async () => {
  const second = spawnService(script, { PORT: String(await freePort()), DATA_DIR: dataDir });
  expect(await second.exited).toBe(1);
  const holder = Number(/ is in use by process (\d+)/.exec(second.output())?.[1]);
  expect(holder, second.output()).toBeGreaterThan(0);
  expect([gatehouse.pid, ...childrenOf(gatehouse.pid)]).toContain(holder); // tsx runs the entry point in a child
  // The first is unharmed.
  expect((await new FormClient(url).get('/')).status).toBe(200);
});

it('shuts down cleanly on SIGTERM', async () => {
  // Its own npm start: stopping the shared one would leave nothing for the tests that run after.
  const own = await startNpmStart(script);
  try {
    expect(await own.process.stop('SIGTERM')).toBe(0);
    expect(own.process.output()).toMatch(/Shutting down/);
  } finally {
    await own.stop();
  }
});
