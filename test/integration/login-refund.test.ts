import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { RpcTimeoutError, type RpcClient } from '@gatehouse/messaging';
import type { Database } from '@gatehouse/database';
import { buildApp } from '../../services/front-end/src/app.js';
import { HashingBusyError } from '../../services/front-end/src/passwords/hash-limiter.js';
import { Hasher } from '../../services/front-end/src/passwords/hasher.js';
import { Browser } from '../../services/front-end/test/helpers.js';
import { startBackEndFixture, type BackEndFixture } from '../support/back-end-fixture.js';
import { testFrontEndConfig } from '../support/front-end-config.js';
import { testLogger } from '../support/silent-logger.js';
import { newEmail } from '../support/test-ids.js';

// Issue 17 §2: a login that ends without a verdict on its password (the Front End shed the
// verify, or LOGIN_ATTEMPT's reply came too late) is no failed password: LOGIN_ABANDONED gives
// back what LOGIN_ATTEMPT counted. A real Back End, PostgreSQL and RabbitMQ; the Front End runs
// in this process so its verify can be shed on cue.
const PASSWORD = 'Tr0ub4dor & horse';
const ROUNDS = 5; // the default LOCKOUT_THRESHOLD: without refunds, these would lock the account
const IP = '127.0.0.1';

let backEnd: BackEndFixture;
let app: FastifyInstance;
/**
 * Actions whose reply is lost after the Back End handled them: the call fails as a real one
 * does, at its timeout, which is when the login's own deadline has passed too.
 */
const lateReplies = new Set<string>();
/** Short, so a late reply's round costs little; long enough for a look-up and a hash. */
const RPC_TIMEOUT_MS = 1500;

beforeAll(async () => {
  backEnd = await startBackEndFixture('login-refund');
  const rpc: RpcClient = {
    async call(request, options) {
      const reply = await backEnd.rpc.call(request, options);
      if (!lateReplies.has(request.action)) return reply;
      await sleep(options?.timeoutMs ?? RPC_TIMEOUT_MS);
      throw new RpcTimeoutError(request.action, options?.timeoutMs ?? RPC_TIMEOUT_MS);
    },
    isReady: () => backEnd.rpc.isReady(),
    close: async () => undefined,
  };
  app = await buildApp({ rpc, config: testFrontEndConfig(backEnd.amqpUrl, backEnd.queue, { rpcTimeoutMs: RPC_TIMEOUT_MS }), logger: testLogger });
});
afterAll(async () => {
  await app?.close();
  await backEnd?.stop();
});
afterEach(() => {
  vi.restoreAllMocks();
  lateReplies.clear();
});

async function failureRow(db: Database, email: string) {
  const [row] = await db.readWrite<{ failures: number; locked: boolean }[]>`
    SELECT failures, coalesce(locked_until > now(), false) AS locked FROM login_failures WHERE email = ${email}`;
  return row ?? { failures: 0, locked: false };
}

async function ipAttempts(db: Database): Promise<number> {
  const [row] = await db.readWrite<{ attempts: number }[]>`SELECT attempts FROM login_ip_attempts WHERE ip = ${IP}`;
  return row?.attempts ?? 0;
}

/** A registered user, and how many attempts the IP's window holds once the registration is counted. */
async function registered(): Promise<{ email: string; ipBefore: number }> {
  const email = newEmail('refund');
  await backEnd.primary.readWrite`DELETE FROM login_ip_attempts`; // a fresh window for this test's IP
  expect((await new Browser(app).submit('/register', { email, password: PASSWORD })).statusCode).toBe(303);
  return { email, ipBefore: await ipAttempts(backEnd.primary) };
}

/** Five rounds that each end in a 503, then the account must be as it was, and the owner's password must work. */
async function shedRoundsThenOwnerLogsIn(email: string, ipBefore: number): Promise<void> {
  // Untrusted browsers: a device cookie would count these on the device's budget instead.
  for (let i = 0; i < ROUNDS; i++) expect((await new Browser(app).submit('/login', { email, password: PASSWORD })).statusCode).toBe(503);
  // The refunds are sent in the background, so the 503 does not wait for them: wait for the database.
  await expect.poll(() => failureRow(backEnd.primary, email)).toEqual({ failures: 0, locked: false });
  await expect.poll(() => ipAttempts(backEnd.primary)).toBe(ipBefore);
  vi.restoreAllMocks();
  lateReplies.clear();
  expect((await new Browser(app).submit('/login', { email, password: PASSWORD })).statusCode).toBe(303);
  const events = await backEnd.primary.readWrite<{ event: string }[]>`SELECT event FROM auth_events WHERE email = ${email} ORDER BY id`;
  // Registration also asked for the verification link (EMAIL_VERIFICATION=optional).
  expect(events.map((e) => e.event)).toEqual(['register', 'email_verification_requested', 'login_success']);
}

describe('a login without a verdict is refunded', () => {
  it(`${ROUNDS} logins shed at the verify, after LOGIN_ATTEMPT counted them, leave the account unlocked at 0 failures`, async () => {
    const { email, ipBefore } = await registered();
    vi.spyOn(Hasher.prototype, 'verify').mockRejectedValue(new HashingBusyError(1));
    await shedRoundsThenOwnerLogsIn(email, ipBefore);
  });

  it(`${ROUNDS} logins whose LOGIN_ATTEMPT reply came too late (503, past the login's deadline) leave it unlocked at 0 failures too`, async () => {
    const { email, ipBefore } = await registered();
    lateReplies.add('LOGIN_ATTEMPT');
    await shedRoundsThenOwnerLogsIn(email, ipBefore);
  });
});

describe('LOGIN_ABANDONED', () => {
  const attempt = (email: string, attemptId: string) =>
    backEnd.rpc.call({ action: 'LOGIN_ATTEMPT', data: { email, attemptId, client: { ip: '203.0.113.7' } } });
  const abandon = (email: string, attemptId: string) => backEnd.rpc.call({ action: 'LOGIN_ABANDONED', data: { email, attemptId } });
  const id = (n: number) => `attempt-${randomUUID()}-${n}`;

  it('refunds an attempt once: a second refund (a redelivery or a retry) takes nothing more, never below zero', async () => {
    const { email } = await registered();
    const first = id(1);
    expect((await attempt(email, first)).success).toBe(true);
    expect(await failureRow(backEnd.primary, email)).toEqual({ failures: 1, locked: false });
    expect(await abandon(email, first)).toEqual({ success: true, refunded: true });
    expect(await abandon(email, first)).toEqual({ success: true, refunded: false });
    expect(await abandon(email, id(2))).toEqual({ success: true, refunded: false }); // never counted
    expect(await failureRow(backEnd.primary, email)).toEqual({ failures: 0, locked: false });
  });

  it('undoes a lock only the abandoned attempt started; a lock real failures earned stands', async () => {
    const { email } = await registered();
    for (let i = 1; i < ROUNDS; i++) await attempt(email, id(i)); // four real failures
    const fifth = id(ROUNDS);
    expect((await attempt(email, fifth)).success).toBe(true); // it starts the lock, and is still checked
    expect(await failureRow(backEnd.primary, email)).toEqual({ failures: ROUNDS, locked: true });
    expect((await abandon(email, fifth)).refunded).toBe(true);
    expect(await failureRow(backEnd.primary, email)).toEqual({ failures: ROUNDS - 1, locked: false });

    const real = id(ROUNDS + 1);
    await attempt(email, real); // a real fifth failure: locked again
    const onLocked = id(ROUNDS + 2);
    expect((await attempt(email, onLocked)).lockedUntil).toEqual(expect.any(String)); // not counted
    expect((await abandon(email, onLocked)).refunded).toBe(true); // its IP count only
    expect(await failureRow(backEnd.primary, email)).toEqual({ failures: ROUNDS, locked: true });
  });

  it("refunds nothing for another account's attempt", async () => {
    const { email } = await registered();
    const { email: other } = await registered();
    const mine = id(1);
    await attempt(email, mine);
    expect((await abandon(other, mine)).refunded).toBe(false);
    expect(await failureRow(backEnd.primary, email)).toEqual({ failures: 1, locked: false });
  });
});
