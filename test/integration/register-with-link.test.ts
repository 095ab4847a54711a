import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { connectDatabase, DEFAULT_VERIFICATIONS, migrate, registerAccount, type Database } from '@gatehouse/database';
import { OutboxRelay, RELAY_DEFAULTS, type MailPublisher } from '@gatehouse/back-end';
import { createTestDatabase } from '../harness/postgres.js';
import { testLogger } from '../support/silent-logger.js';
import { newEmail } from '../support/test-ids.js';

/**
 * REGISTER with EMAIL_VERIFICATION on is one statement (register_account_with_link, migration
 * 0012), and its mail is handed to the queue by id right after the commit. On a real PostgreSQL;
 * the mail queue is a recording publisher.
 */
let db: Database;

beforeAll(async () => {
  db = connectDatabase({ url: await createTestDatabase(inject('postgresUrl')) });
  await migrate(db.readWrite);
});
afterAll(() => db?.close());

const registration = (email: string, requestId = randomUUID()) => ({
  requestId, email, hash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', tokenHash: undefined, sessionSeconds: 3600, client: { ip: '192.0.2.1', userAgent: 'test' }, ipLimitPerMinute: 1000,
});

interface OutboxRow { id: string; template: string; recipient: string; data: { token: string; expiresAt: string }; published_at: Date | null; publishes: number }
/** Marks a mail published, so it does not reach another test's pass. */
const markPublishedFor = async (id: string) => void (await db.readWrite`UPDATE outbox SET published_at = now() WHERE id = ${id}`);
const outboxOf = (email: string) => db.readWrite<OutboxRow[]>`SELECT id, template, recipient, data, published_at, publishes FROM outbox WHERE recipient = ${email}`;

class RecordingPublisher implements MailPublisher {
  published: string[] = [];
  failNext = false;
  async publish(id: string): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('broker gone');
    }
    this.published.push(id);
  }
}

describe('REGISTER with a verification link', () => {
  it('creates the account, its link (stored hashed) and its mail in one statement, and a redelivery queues no second one', async () => {
    const email = newEmail('Link');
    const r = registration(email);
    const first = await registerAccount(db, r, DEFAULT_VERIFICATIONS);
    expect(first.outcome).toBe('created');
    expect(first.mailId).toMatch(/^[0-9a-f-]{36}$/);

    const again = await registerAccount(db, r, DEFAULT_VERIFICATIONS); // the same request id: a redelivery
    expect(again).toEqual({ outcome: 'created' });
    const taken = await registerAccount(db, registration(email), DEFAULT_VERIFICATIONS); // a new request for the same address
    expect(taken).toEqual({ outcome: 'exists' });

    const [mail, ...more] = await outboxOf(email);
    expect(more).toEqual([]);
    expect(mail).toMatchObject({ id: first.mailId, template: 'email_verification', recipient: email });
    const [token] = await db.readWrite<{ token_hash: string; expires_at: Date }[]>`
      SELECT token_hash, expires_at FROM account_tokens WHERE email = ${email.toLowerCase()} AND purpose = 'email_verification'`;
    expect(token!.token_hash).toBe(createHash('sha256').update(mail!.data.token).digest('hex'));
    expect(token!.token_hash).not.toContain(mail!.data.token);
    expect(mail!.data.expiresAt).toBe(token!.expires_at.toISOString());
    expect(token!.expires_at.getTime() - Date.now()).toBeGreaterThan((DEFAULT_VERIFICATIONS.ttlHours - 1) * 3600_000);
    const events = await db.readWrite<{ event: string }[]>`SELECT event FROM auth_events WHERE email = ${email.toLowerCase()} ORDER BY id`;
    expect(events.map((e) => e.event)).toEqual(['register', 'email_verification_requested']);
  });

  it('queues nothing without the policy (EMAIL_VERIFICATION=off)', async () => {
    const email = newEmail('nolink');
    expect(await registerAccount(db, registration(email))).toEqual({ outcome: 'created' });
    expect(await outboxOf(email)).toEqual([]);
  });
});

describe('the outbox relay, handed a mail by id', () => {
  it('publishes the mails handed over together, marks them published in one UPDATE, and a pass afterwards does not publish them again', async () => {
    const publisher = new RecordingPublisher();
    const relay = new OutboxRelay(db, publisher, testLogger, { ...RELAY_DEFAULTS, sweepMs: 3_600_000 });
    const emails = [newEmail('hand'), newEmail('hand'), newEmail('hand')];
    const ids = [];
    for (const email of emails) ids.push((await registerAccount(db, registration(email), DEFAULT_VERIFICATIONS)).mailId!);
    for (const id of ids) relay.kick(id);
    await vi.waitFor(async () => {
      for (const email of emails) expect((await outboxOf(email))[0]!.published_at).not.toBeNull();
    }, { timeout: 5000, interval: 20 });
    await relay.stop();
    for (const id of ids) expect(publisher.published.filter((p) => p === id)).toEqual([id]);
    const rows = (await Promise.all(emails.map(outboxOf))).map(([row]) => row!);
    for (const row of rows) expect(row.publishes).toBe(1);
    // now() is the transaction's start: one UPDATE gave all three the same time.
    expect(new Set(rows.map((r) => r.published_at!.getTime())).size).toBe(1);

    const later = new OutboxRelay(db, publisher, testLogger, { ...RELAY_DEFAULTS, sweepMs: 3_600_000 }).start(); // start() runs a pass
    await later.stop();
    for (const id of ids) expect(publisher.published.filter((p) => p === id)).toHaveLength(1);
  });

  it('a sweep that comes during a pass runs after it with its own age, leaving a fresh mail to its handler', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const publisher = new RecordingPublisher();
    const blocking: MailPublisher = { publish: async (id) => (await gate, publisher.publish(id)) };
    const old = await registerAccount(db, registration(newEmail('old')), DEFAULT_VERIFICATIONS);
    // start() runs a pass (any age), which waits at its first publish; sweeps (10 s and older) come meanwhile.
    const relay = new OutboxRelay(db, blocking, testLogger, { ...RELAY_DEFAULTS, sweepMs: 50 }).start();
    const freshEmail = newEmail('fresh');
    const fresh = await registerAccount(db, registration(freshEmail), DEFAULT_VERIFICATIONS);
    await new Promise((resolve) => setTimeout(resolve, 300));
    open();
    await vi.waitFor(() => expect(publisher.published).toContain(old.mailId), { timeout: 5000, interval: 20 });
    await new Promise((resolve) => setTimeout(resolve, 300)); // the sweep's pass, and more sweeps
    await relay.stop();
    expect(publisher.published).not.toContain(fresh.mailId);
    expect((await outboxOf(freshEmail))[0]).toMatchObject({ publishes: 0, published_at: null });
    await markPublishedFor(fresh.mailId!);
  });

  it('leaves a mail it could not publish to the next pass, which publishes it', async () => {
    const publisher = new RecordingPublisher();
    const relay = new OutboxRelay(db, publisher, testLogger, { ...RELAY_DEFAULTS, sweepMs: 3_600_000 });
    const email = newEmail('retry');
    const { mailId } = await registerAccount(db, registration(email), DEFAULT_VERIFICATIONS);
    publisher.failNext = true;
    relay.kick(mailId);
    await relay.stop();
    expect(publisher.published).not.toContain(mailId);
    expect((await outboxOf(email))[0]).toMatchObject({ publishes: 0, published_at: null });

    await new OutboxRelay(db, publisher, testLogger, { ...RELAY_DEFAULTS, sweepMs: 3_600_000 }).start().stop();
    expect(publisher.published).toContain(mailId);
    expect((await outboxOf(email))[0]).toMatchObject({ publishes: 1, published_at: expect.any(Date) });
  });
});
