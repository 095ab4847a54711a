import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { run } from '../harness/process-utils.js';
import { FormClient } from '../support/form-client.js';
import { logLines } from '../support/log-lines.js';
import { REPO_ROOT, spawnProcess } from '../support/service-process.js';
import { startStack, type Stack } from '../support/stack.js';
import { newEmail } from '../support/test-ids.js';

// The production build: `npm run build`, then both services on plain node from dist/, as the images run them.
let stack: Stack;

// The Front End's CommonJS entry sizes libuv's threadpool before its ES modules load.
const entryPoint = (service: string) => (service === 'front-end' ? 'services/front-end/bin/front-end.cjs' : `services/${service}/dist/main.js`);
const HASH_SLOTS = 12;
const argv = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
const environ = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');

beforeAll(async () => {
  // Incremental (tsc -b), so a second run costs little; a failing build fails this file.
  await run('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT, timeoutMs: 170_000 });
  stack = await startStack({ HASH_CONCURRENCY: String(HASH_SLOTS) }, {}, (service, env) => spawnProcess(process.execPath, [entryPoint(service)], env));
});

afterAll(async () => {
  await stack?.stop();
});

it('runs both services with plain node: no tsx, no source condition', () => {
  for (const [service, child] of [['back-end', stack.backEnd], ['front-end', stack.frontEnd]] as const) {
    expect(argv(child.pid)).toEqual([process.execPath, entryPoint(service)]);
    expect(environ(child.pid).filter((v) => v.startsWith('NODE_OPTIONS='))).toEqual([]);
  }
});

it("sizes the Front End's libuv threadpool for hashing: HASH_CONCURRENCY + 2 threads, not libuv's 4", () => {
  // The size the entry set, as the Front End logs it once listening.
  const listening = logLines(stack.frontEnd.output()).find((line) => line.msg?.startsWith('Front End listening on'));
  expect(listening?.uvThreadpoolSize, JSON.stringify(listening)).toBe(String(HASH_SLOTS + 2));
  // And libuv used it: it starts every pool thread at once when the pool first starts (long before
  // this test), so the process has at least that many threads besides its main one. Had the size
  // been set too late, libuv's 4 would leave it well short (main, 4 pool threads, V8's few).
  const threads = readdirSync(`/proc/${stack.frontEnd.pid}/task`).length;
  expect(threads).toBeGreaterThan(HASH_SLOTS + 2);
});

it('registers and logs in through the built Front End and Back End', async () => {
  const email = newEmail('built');
  const password = 'built services password';
  const user = new FormClient(stack.url);
  expect(await user.submit('/register', { email, password })).toMatchObject({ status: 303, location: '/' });
  expect(await user.submit('/logout', {})).toMatchObject({ status: 303 });

  const again = new FormClient(stack.url);
  expect(await again.submit('/login', { email, password: 'not the password' })).toMatchObject({ status: 401 });
  expect(await again.submit('/login', { email, password })).toMatchObject({ status: 303 });
  expect((await again.get('/secret')).body).toContain(email);
  // The assets are read from public/ next to dist/, so the build must find them.
  const stylesheet = /<link rel="stylesheet" href="([^"]+)">/.exec((await again.get('/')).body)?.[1];
  expect(stylesheet).toMatch(/^\/assets\/style\.[0-9a-f]{12}\.css$/);
  expect((await again.get(stylesheet!)).status).toBe(200);
});
