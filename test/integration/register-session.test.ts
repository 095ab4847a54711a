import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Messages } from '@gatehouse/protocol';
import { recentEvents, type Database } from '@gatehouse/database';
import { AmqpRpcClient, connectAmqp, startRpcServer } from '@gatehouse/messaging';
import { createRequestHandler, DEFAULT_POLICIES } from '@gatehouse/back-end';
import { startBackEndFixture, type BackEndFixture } from '../support/back-end-fixture.js';
import { rawRequest } from '../support/raw-amqp.js';
import { testLogger as logger } from '../support/silent-logger.js';
import { newEmail, newTokenHash } from '../support/test-ids.js';
import { startDoomedWorker } from '../support/doomed-worker.js';

/** Issue 9: REGISTER with a tokenHash registers and starts the session in one transaction. */

let fixture: BackEndFixture;
let db: Database;
const client = { ip: '203.0.113.9', userAgent: 'vitest' };

beforeAll(async () => {
  fixture = await startBackEndFixture('register-session-test');
  db = fixture.primary;
});
afterAll(() => fixture?.stop());

const count = async (table: 'users' | 'sessions', column: string, value: string) =>
  (await db.readWrite<{ n: number }[]>`SELECT count(*)::int AS n FROM ${db.readWrite(table)} WHERE ${db.readWrite(column)} = ${value}`)[0]!.n;
const registerEvents = async (email: string) => (await recentEvents(db.readWrite, { email, limit: 10 })).filter((e) => e.event === 'register').length;

describe('REGISTER with a tokenHash', () => {
  it('creates the user and the session, and says so', async () => {
    const [email, tokenHash] = [newEmail(), newTokenHash()];
    expect(await fixture.rpc.call({ action: 'REGISTER', data: { email, hash: 'h', tokenHash, client } })).toEqual({ success: true, session: true });
    expect(await fixture.rpc.call({ action: 'SESSION_GET', data: { tokenHash } })).toEqual({ success: true, email, verified: false });
    expect(await registerEvents(email)).toBe(1);
  });

  it('starts no session for an email that is taken', async () => {
    const [email, tokenHash] = [newEmail(), newTokenHash()];
    await fixture.rpc.call({ action: 'REGISTER', data: { email, hash: 'h' } });
    const again = await fixture.rpc.call({ action: 'REGISTER', data: { email, hash: 'x', tokenHash } });
    expect(again).toEqual({ success: false, message: Messages.userExists });
    expect(await count('sessions', 'token_hash', tokenHash)).toBe(0);
  });

  it('starts no session over the IP budget', async () => {
    const [email, tokenHash] = [newEmail(), newTokenHash()];
    const ip = { ip: `198.51.100.${Math.floor(Math.random() * 250)}` };
    await fixture.rpc.call({ action: 'REGISTER', data: { email: newEmail(), hash: 'h', client: ip, ipLimitPerMinute: 1 } });
    const over = await fixture.rpc.call({ action: 'REGISTER', data: { email, hash: 'h', tokenHash, client: ip, ipLimitPerMinute: 1 } });
    expect(over).toEqual({ success: false, rateLimited: true });
    expect(await count('sessions', 'token_hash', tokenHash)).toBe(0);
    expect(await count('users', 'email', email)).toBe(0);
  });

  it('answers a copy with the same message id with the first reply: one user, one session, one audit event', async () => {
    const [email, tokenHash, id] = [newEmail(), newTokenHash(), `dup-${randomUUID()}`];
    const body = Buffer.from(JSON.stringify({ action: 'REGISTER', data: { email, hash: 'h', tokenHash, client } }));
    const send = () => rawRequest(fixture.connection, fixture.queue, body, { messageId: id }, 15_000);
    expect(await Promise.all([send(), send()])).toEqual([{ success: true, session: true }, { success: true, session: true }]);
    expect(await send()).toEqual({ success: true, session: true });
    expect([await count('users', 'email', email), await count('sessions', 'token_hash', tokenHash), await registerEvents(email)]).toEqual([1, 1, 1]);
  });

  it('is redelivered after its worker died past the commit and gets the first reply, without a second session', async () => {
    const queue = `request.${randomUUID()}`;
    const handle = createRequestHandler(db, logger, DEFAULT_POLICIES);
    const [email, tokenHash] = [newEmail(), newTokenHash()];
    const { committed: firstCommitted } = await startDoomedWorker(fixture.amqpUrl, queue, handle);
    const rpc = new AmqpRpcClient({ connection: fixture.connection, queue, mode: 'quorum', timeoutMs: 20_000, logger });
    const reply = rpc.call({ action: 'REGISTER', data: { email, hash: 'h', tokenHash, client } });
    await firstCommitted;

    const survivor = connectAmqp({ urls: [fixture.amqpUrl], name: 'survivor', logger });
    const server = await startRpcServer({ connection: survivor, queue, mode: 'quorum', prefetch: 1, handle, logger });
    expect(await reply).toEqual({ success: true, session: true });
    expect([await count('users', 'email', email), await count('sessions', 'token_hash', tokenHash), await registerEvents(email)]).toEqual([1, 1, 1]);
    await rpc.close();
    await server.close();
    await survivor.close();
  });
});

describe('REGISTER without a tokenHash (the textbook\'s, and an older Front End\'s)', () => {
  it('answers exactly {success: true} and starts no session', async () => {
    const email = newEmail();
    expect(await fixture.rpc.call({ action: 'REGISTER', data: { email, hash: 'h' } })).toEqual({ success: true });
    expect(await count('sessions', 'email', email)).toBe(0);
  });
});

describe('one-statement writes (migration 0006) and replies stored before them', () => {
  const handle = () => createRequestHandler(db, logger, DEFAULT_POLICIES);

  it('answers a REGISTER copy whose first copy an older Back End handled with the reply that one stored', async () => {
    const [email, requestId] = [newEmail(), `legacy-${randomUUID()}`];
    const stored = { success: true, session: true };
    await db.readWrite`INSERT INTO processed_requests (request_id, reply) VALUES (${requestId}, ${db.readWrite.json(stored)})`;
    expect(await handle()({ action: 'REGISTER', data: { email, hash: 'h', tokenHash: newTokenHash(), client } }, { requestId })).toEqual(stored);
    expect(await count('users', 'email', email)).toBe(0); // the first copy's work is not done again
  });

  it('answers a LOGIN_ATTEMPT copy whose first copy an older Back End handled with the decision that one stored', async () => {
    const [email, requestId] = [newEmail(), `legacy-${randomUUID()}`];
    const stored = { success: false, lockedUntil: '2030-01-01T00:00:00.000Z' };
    await db.readWrite`INSERT INTO processed_requests (request_id, reply) VALUES (${requestId}, ${db.readWrite.json(stored)})`;
    expect(await handle()({ action: 'LOGIN_ATTEMPT', data: { email, client } }, { requestId })).toEqual(stored);
    expect(await db.readWrite`SELECT 1 FROM login_failures WHERE email = ${email}`).toHaveLength(0); // not counted again
  });

  it('starts a login session once per request id: one session, one login_success, the failure count cleared', async () => {
    const [email, tokenHash, requestId] = [newEmail(), newTokenHash(), `session-${randomUUID()}`];
    await db.readWrite`INSERT INTO login_failures (email, failures) VALUES (${email}, 3)`;
    const create = () => handle()({ action: 'SESSION_CREATE', data: { email, tokenHash, client, reason: 'login' } }, { requestId });
    expect(await Promise.all([create(), create()])).toEqual([{ success: true }, { success: true }]);
    const logins = (await recentEvents(db.readWrite, { email, limit: 10 })).filter((e) => e.event === 'login_success');
    const failures = await db.readWrite`SELECT 1 FROM login_failures WHERE email = ${email}`;
    expect([await count('sessions', 'token_hash', tokenHash), logins.length, failures.length]).toEqual([1, 1, 0]);
  });

  it('starts a registration\'s session without touching the failure count or the audit', async () => {
    const [email, tokenHash] = [newEmail(), newTokenHash()];
    await db.readWrite`INSERT INTO login_failures (email, failures) VALUES (${email}, 2)`;
    expect(await handle()({ action: 'SESSION_CREATE', data: { email, tokenHash, reason: 'register' } }, {})).toEqual({ success: true });
    const events = await recentEvents(db.readWrite, { email, limit: 10 });
    const failures = await db.readWrite`SELECT 1 FROM login_failures WHERE email = ${email}`;
    expect([await count('sessions', 'token_hash', tokenHash), events.length, failures.length]).toEqual([1, 0, 1]);
  });
});
