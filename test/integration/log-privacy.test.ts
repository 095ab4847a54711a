import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectAmqp } from '@gatehouse/messaging';
import { FormClient, type Page } from '../support/form-client.js';
import { ARGON2_HASH, leakedSecrets, logLines, type LogLine } from '../support/log-lines.js';
import { rawRequest } from '../support/raw-amqp.js';
import { testLogger } from '../support/silent-logger.js';
import { startStack, TEST_SESSION_SECRET, type Stack } from '../support/stack.js';

const PASSWORD = 'Tr0ub4dor & horse';
const WRONG_PASSWORD = 'wrong password here';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// Issue 7 §4: at the default `info` level, neither tier logs who is logging in.
describe('at info', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ LOG_LEVEL: 'info' }, { LOG_LEVEL: 'info' });
  });
  afterAll(() => stack?.stop());

  it('logs no email at info for a registration and logins', async () => {
    const email = `quiet-${Date.now()}@example.com`;
    const browser = new FormClient(stack.url);
    expect((await browser.submit('/register', { email, password: PASSWORD })).status).toBe(303);
    expect((await new FormClient(stack.url).submit('/login', { email, password: WRONG_PASSWORD })).status).toBe(401);
    expect((await new FormClient(stack.url).submit('/login', { email, password: PASSWORD })).status).toBe(303);

    const logs = stack.logs();
    expect(logs).toMatch(/Starting consumption/); // the Back End's log is in there
    expect(logs).not.toContain(email);
  });
});

// Issue 11 §2: one request's id on every line either tier logs about it, and no secret anywhere.
describe('at debug', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ LOG_LEVEL: 'debug' }, { LOG_LEVEL: 'debug' });
  });
  afterAll(() => stack?.stop());

  /** The Back End's actions logged under `reqId`, in order. */
  const backEndActions = (reqId: string) =>
    logLines(stack.backEnd.output())
      .filter((line) => line.reqId === reqId && line.msg === 'Request received')
      .map((line) => line.action);
  const frontEndLines = (reqId: string): LogLine[] => logLines(stack.frontEnd.output()).filter((line) => line.reqId === reqId);
  const idOf = (page: Page) => page.headers.get('x-request-id') ?? '';

  it('follows each request by its id through both tiers, and logs no password, hash, token or secret', async () => {
    const email = `traced-${Date.now()}@example.com`;
    const browser = new FormClient(stack.url);
    const sessionIds: string[] = [];
    const csrfCookies: string[] = [];
    const keepCookies = () => {
      for (const [name, list] of [['session', sessionIds], ['csrf', csrfCookies]] as const) {
        const value = browser.cookie(name);
        if (value) list.push(value);
      }
    };

    const registered = await browser.submit('/register', { email, password: PASSWORD });
    expect(registered.status).toBe(303);
    keepCookies();
    expect((await browser.submit('/logout', {})).status).toBe(303);
    const login = await browser.submit('/login', { email, password: PASSWORD });
    expect(login.status).toBe(303);
    keepCookies();
    const secret = await browser.get('/secret');
    expect(secret.status).toBe(200);
    keepCookies();
    const wrong = await new FormClient(stack.url).submit('/login', { email, password: WRONG_PASSWORD });
    expect(wrong.status).toBe(401);

    // One grep for the login's id finds its whole path: the Front End's line and the Back End's.
    const loginId = idOf(login);
    expect(loginId).toMatch(UUID);
    expect(stack.frontEnd.output()).toContain(loginId);
    expect(stack.backEnd.output()).toContain(loginId);
    expect(frontEndLines(loginId).map((line) => line.url)).toContain('/login');
    expect(backEndActions(loginId)).toEqual(['LOGIN_ATTEMPT', 'SESSION_CREATE']);
    expect(backEndActions(idOf(registered))).toEqual(['REGISTER']);
    expect(backEndActions(idOf(secret))).toEqual(['SESSION_GET']);
    expect(backEndActions(idOf(wrong))).toEqual(['LOGIN_ATTEMPT', 'LOGIN_FAILED']);
    expect(new Set([loginId, idOf(registered), idOf(secret), idOf(wrong)]).size).toBe(4);

    const logs = stack.logs();
    expect(sessionIds.length).toBeGreaterThanOrEqual(2);
    expect(browser.csrfTokens.length).toBe(3);
    expect(logs).not.toMatch(ARGON2_HASH);
    expect(
      leakedSecrets(logs, {
        password: [PASSWORD, WRONG_PASSWORD],
        'session id': sessionIds,
        'CSRF token': browser.csrfTokens,
        'CSRF cookie': csrfCookies,
        'session secret': [TEST_SESSION_SECRET],
        'broker password': [inject('rabbitPassword')],
        'database password': [decodeURIComponent(new URL(stack.databaseUrl).password)],
      }),
    ).toEqual([]);
  });

  it("gives a message that carries no id, as the textbook's clients send, a fresh one", async () => {
    const connection = connectAmqp({ urls: [inject('amqpUrl')], name: 'trace-test', logger: testLogger });
    try {
      const before = logLines(stack.backEnd.output()).length;
      const body = Buffer.from(JSON.stringify({ action: 'GETHASH', data: { email: 'nobody-textbook@example.com' } }));
      expect(await rawRequest(connection, stack.queue, body)).toEqual({ success: false });
      const received = logLines(stack.backEnd.output())
        .slice(before)
        .filter((line) => line.msg === 'Request received');
      expect(received.map((line) => line.action)).toEqual(['GETHASH']);
      expect(received[0]!.reqId).toMatch(UUID);
    } finally {
      await connection.close();
    }
  });
});
