import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { connectAmqp, type Connection } from '@gatehouse/messaging';
import { freePort } from '../harness/free-port.js';
import { createTestDatabase } from '../harness/postgres.js';
import { FormClient } from '../support/form-client.js';
import { testLogger as logger } from '../support/silent-logger.js';
import { generateHttpCases, serialize, type HttpCase, type LiveValues } from './http/index.js';
import { RawConnection, type Outcome } from './raw-http.js';
import { fuzzCount, fuzzSeed, preview, Problems, tally } from './seed.js';
import { startBackEndProcess, startFrontEndProcess, type WatchedService } from './services.js';

/**
 * Issue 3, section 9: at least 10,000 malformed HTTP requests, as raw bytes over TCP, to
 * the real Front End (a child process) in front of the real Back End (another one). No
 * answer may be a 5xx, nothing may crash, and afterwards register → login → /secret works.
 */

const SEED = fuzzSeed();
const COUNT = fuzzCount();
const CONCURRENCY = 16;
/** Long enough for an argon2 run under load; a truncated request is given far less. */
const ANSWER_TIMEOUT_MS = 10_000;
const HANG_TIMEOUT_MS = 1500;
const SESSION_SECRET = 'fuzz-session-secret-of-at-least-32-characters-long';

const amqpUrl = inject('amqpUrl');
const queue = `fuzz.http.${randomUUID()}`;
let connection: Connection;
let backEnd: WatchedService | undefined;
let frontEnd: WatchedService | undefined;
let port: number;
let baseUrl: string;

beforeAll(async () => {
  const databaseUrl = await createTestDatabase(inject('postgresUrl'));
  connection = connectAmqp({ urls: [amqpUrl], name: 'gatehouse-http-fuzz', logger });
  backEnd = await startBackEndProcess(connection, { AMQP_URL: amqpUrl, DATABASE_URL: databaseUrl, REQUEST_QUEUE: queue });
  port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  frontEnd = await startFrontEndProcess(port, {
    AMQP_URL: amqpUrl,
    REQUEST_QUEUE: queue,
    SESSION_SECRET,
    // The limit is part of what is tested elsewhere; here it must not hide other answers.
    RATE_LIMIT_PER_MINUTE: '100000',
  });
});

afterAll(async () => {
  await frontEnd?.process.stop('SIGKILL');
  await backEnd?.process.stop('SIGKILL');
  await Promise.race([connection?.close(), sleep(5000)]);
});

/** A logged-in user's session cookie, and a form's CSRF token with its cookie, for the cases that use real ones. */
async function liveValues(): Promise<LiveValues> {
  const browser = new FormClient(baseUrl);
  const registered = await browser.submit('/register', { email: `fuzz-live-${randomUUID()}@example.com`, password: `Live-${randomUUID()}` });
  if (registered.status !== 303) throw new Error(`could not register the fuzz user: ${registered.status}\n${registered.body.slice(0, 500)}`);
  const session = browser.cookie('session');
  const login = await browser.get('/login');
  const token = /name="_csrf"\s+value="([^"]+)"/.exec(login.body)?.[1] ?? /value="([^"]+)"\s+name="_csrf"/.exec(login.body)?.[1];
  const csrfCookie = browser.cookie('csrf');
  if (!session || !token || !csrfCookie) throw new Error(`no session cookie, CSRF cookie or token; cookies: ${login.setCookies.join(' | ')}`);
  return { host: `127.0.0.1:${port}`, token, csrfCookie, session };
}

interface Result {
  index: number;
  kase: HttpCase;
  bytes: Buffer;
  outcome: Outcome;
  ms: number;
}

async function runAll(cases: HttpCase[], live: LiveValues): Promise<Result[]> {
  const results: Result[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    let kept: RawConnection | undefined; // a kept-alive connection for well-formed requests
    while (next < cases.length) {
      const index = next++;
      const kase = cases[index]!;
      const bytes = serialize(kase, live);
      const reuse = kase.reuse && kept?.usable;
      const conn = reuse ? kept! : new RawConnection(port);
      const started = Date.now();
      const outcome = await conn.exchange(bytes, kase.method, kase.mayHang ? HANG_TIMEOUT_MS : ANSWER_TIMEOUT_MS);
      results[index] = { index, kase, bytes, outcome, ms: Date.now() - started };
      if (kase.reuse && outcome.kind === 'response' && outcome.reusable) {
        if (kept !== conn) kept?.destroy();
        kept = conn;
      } else {
        conn.destroy();
        if (kept === conn) kept = undefined;
      }
    }
    kept?.destroy();
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return results;
}

/** A stack trace, a source path or a raw error object in a page means internals leaked. */
const LEAK = /\n\s+at .+:\d+:\d+|node_modules|[\w/-]+\.(?:ts|js|mjs|cjs):\d+|"stack"\s*:|\bat async /;

it(`answers at least ${COUNT} malformed HTTP requests with no 5xx and no crash, and still logs users in`, { timeout: 300_000 }, async () => {
  const started = Date.now();
  console.log(`[fuzz] HTTP: seed ${SEED} (reproduce with FUZZ_SEED=${SEED}), at least ${COUNT} malformed requests to ${baseUrl}, ${CONCURRENCY} at a time`);
  const cases = generateHttpCases(SEED, COUNT);
  const live = await liveValues();
  const generatedMs = Date.now() - started;

  const results = await runAll(cases, live);
  const ranMs = Date.now() - started;
  console.log(`[fuzz] HTTP: ${results.length} requests answered or given up on in ${ranMs - generatedMs} ms`);

  // Afterwards the whole flow still works: register, log in (fresh client), see the secret page.
  const email = `after-fuzz-${randomUUID()}@example.com`;
  const password = `After-${randomUUID()}`;
  const registered = await new FormClient(baseUrl).submit('/register', { email, password });
  const user = new FormClient(baseUrl);
  const loggedIn = await user.submit('/login', { email, password });
  const secret = await user.get('/secret');
  const afterwards = { register: registered.status, login: loggedIn.status, secret: secret.status, showsEmail: secret.body.includes(email) };

  // --- judge every answer --------------------------------------------------------------------
  const problems = new Problems();
  const about = (r: Result, extra = '') => `#${r.index} ${r.kase.kind}${extra} request=${preview(r.bytes, 400)}`;
  const statuses: (number | string)[] = [];
  const byKind = new Map<string, (number | string)[]>();
  let hung = 0;
  const dropped: string[] = []; // the methods of requests closed unanswered where that is allowed
  let extraAnswers = 0;
  for (const r of results) {
    const { outcome, kase } = r;
    const label = outcome.kind === 'response' ? outcome.response.status : outcome.kind;
    statuses.push(label);
    byKind.set(kase.kind, byKind.get(kase.kind) ?? []);
    byKind.get(kase.kind)!.push(label);
    switch (outcome.kind) {
      case 'response': {
        const { status, body } = outcome.response;
        const text = body.toString('utf8');
        if (status >= 500) problems.add(`${status} answer`, about(r, ` → ${preview(body, 300)}`));
        else if (status < 200) problems.add('only an interim answer', about(r));
        else if (kase.expect && !kase.expect.includes(status)) problems.add(`status ${status}, want ${kase.expect.join('/')}`, about(r));
        if (LEAK.test(text)) problems.add('internals in the answer', about(r, ` → ${preview(body, 500)}`));
        if (outcome.extraBytes > 0) extraAnswers++;
        break;
      }
      case 'timeout':
        if (kase.mayHang) hung++;
        else problems.add(`no answer within ${ANSWER_TIMEOUT_MS} ms`, about(r, outcome.partial.length ? ` partial=${preview(outcome.partial, 200)}` : ''));
        break;
      case 'closed':
        if (kase.mayDrop) dropped.push(r.bytes.subarray(0, r.bytes.indexOf(' ')).toString('latin1'));
        else problems.add('connection closed without an answer', about(r, outcome.error ? ` (${outcome.error})` : ''));
        break;
      case 'garbage':
        problems.add('answer is not HTTP', about(r, ` (${outcome.error}) partial=${preview(outcome.partial, 200)}`));
        break;
    }
  }
  for (const [name, service] of [['Front End', frontEnd!], ['Back End', backEnd!]] as const) {
    if (service.state !== 'running') problems.add(`the ${name} exited`, `code ${service.state}:\n${service.process.output().slice(-3000)}`);
    problems.add(`crash in the ${name} output`, ...service.crashLines().map((line) => line.slice(0, 1000)));
  }
  const crashes = [frontEnd!, backEnd!].reduce((n, s) => n + (s.state === 'running' ? 0 : 1) + s.crashLines().length, 0);
  const fiveXX = statuses.filter((s) => typeof s === 'number' && s >= 500).length;
  const slowest = results.reduce((a, b) => (b.ms > a.ms && b.outcome.kind === 'response' ? b : a), results[0]!);

  console.log(
    `[fuzz] HTTP: ${results.length} requests (${results.filter((r) => r.kase.kind !== 'valid').length} malformed), ${crashes} crashes, ${fiveXX} 5xx, statuses ${JSON.stringify(tally(statuses))}; ` +
      `${hung} incomplete requests left waiting (allowed), ${dropped.length} closed unanswered (allowed for refused uploads: ${JSON.stringify(tally(dropped))}), ` +
      `${extraAnswers} answers followed by more bytes, problems ${problems.count}`,
  );
  console.log(`[fuzz] HTTP: by kind ${JSON.stringify(Object.fromEntries([...byKind].map(([k, v]) => [k, tally(v)])))}`);
  console.log(
    `[fuzz] HTTP: generated in ${generatedMs} ms, sent in ${ranMs - generatedMs} ms, done in ${Date.now() - started} ms; slowest answer ${slowest.ms} ms (#${slowest.index} ${slowest.kase.kind}); ` +
      `afterwards ${JSON.stringify(afterwards)}`,
  );
  if (problems.count) console.log(`[fuzz] HTTP: problems (seed ${SEED}):\n${problems.report()}`);
  // FUZZ_DUMP=<file> keeps every request and its outcome, one JSON line each, for digging.
  if (process.env.FUZZ_DUMP) {
    const line = (r: Result) =>
      JSON.stringify({ index: r.index, kind: r.kase.kind, outcome: r.outcome.kind === 'response' ? r.outcome.response.status : r.outcome.kind, ms: r.ms, request: preview(r.bytes, 2000) });
    writeFileSync(process.env.FUZZ_DUMP, results.map(line).join('\n'));
  }

  expect(frontEnd!.state, 'the Front End process must not exit').toBe('running');
  expect(backEnd!.state, 'the Back End process must not exit').toBe('running');
  expect(problems.summary(), `${problems.count} problems (seed ${SEED}); details above`).toEqual({});
  expect(afterwards).toEqual({ register: 303, login: 303, secret: 200, showsEmail: true });
});
