import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectDatabase, migrate, MIGRATIONS_DIR, recentEvents, type Database } from '@gatehouse/database';
import { connectAmqp } from '@gatehouse/messaging';
import { FormClient } from '../support/form-client.js';
import { rawRequest } from '../support/raw-amqp.js';
import { spawnService, type ServiceProcess } from '../support/service-process.js';
import { testLogger } from '../support/silent-logger.js';
import { linkIn, resetLinkIn, SmtpCatcher } from '../support/smtp-catcher.js';
import { startStack, type Stack } from '../support/stack.js';
import { createTestDatabase } from '../harness/postgres.js';
import { newEmail } from '../support/test-ids.js';

/**
 * Issue 19, "verify the address", on real servers: a Back End and two Front Ends (one per
 * EMAIL_VERIFICATION mode under test: optional, the default, and required), the harness's
 * RabbitMQ and PostgreSQL, a Mailer and a real SMTP server read back with mailparser.
 */

const PASSWORD = 'correct horse battery';
const mailQueue = `mail.${randomUUID()}`;
let stack: Stack;
let requiredUrl: string;
let db: Database;
let smtp: SmtpCatcher;
let mailer: ServiceProcess;

beforeAll(async () => {
  smtp = await SmtpCatcher.start();
  stack = await startStack({}, { MAIL_QUEUE: mailQueue });
  db = connectDatabase({ url: stack.databaseUrl });
  mailer = spawnService('services/mailer/src/main.ts', {
    AMQP_URL: inject('amqpUrl'),
    REQUEST_QUEUE: stack.queue,
    MAIL_QUEUE: mailQueue,
    SMTP_URL: smtp.url,
    PUBLIC_URL: stack.url,
    SITE_NAME: 'Gatehouse test',
  });
  requiredUrl = (await stack.addFrontEnd({ EMAIL_VERIFICATION: 'required' })).url;
  await mailer.waitFor(/Consuming the mail queue/);
});
afterAll(async () => {
  await mailer?.stop();
  await db?.close();
  await stack?.stop();
  await smtp?.down();
});

/** A path and query from a link in a mail, for a FormClient on any of the Front Ends. */
const pathOf = (link: string) => new URL(link).pathname + new URL(link).search;
const tokenOf = (link: string) => new URL(link).searchParams.get('token')!;

async function registered(url = stack.url): Promise<{ email: string; browser: FormClient; page: string }> {
  const email = newEmail('verify');
  const browser = new FormClient(url);
  const done = await browser.submit('/register', { email, password: PASSWORD });
  expect([200, 303]).toContain(done.status);
  return { email, browser, page: done.body };
}

/** The n-th mail to `email` carrying a link to `path`. */
async function linkTo(email: string, path: string, n = 1): Promise<string> {
  const mails = await smtp.waitFor(email, 30_000, n);
  return linkIn(mails[n - 1]!, path);
}

/** Opens the link's page (one button), then presses it, as a browser would. */
const click = (browser: FormClient, link: string, action: string) => browser.submit(action, { token: tokenOf(link) }, pathOf(link));
const outboxCount = async (email: string) => (await db.readWrite<{ n: number }[]>`SELECT count(*)::int AS n FROM outbox WHERE recipient = ${email}`)[0]!.n;
const logIn = (url: string, email: string, password = PASSWORD) => new FormClient(url).submit('/login', { email, password });

describe('the link sent at registration', () => {
  it('arrives, confirms the address once and logs the user in; a second click is told it was used', async () => {
    const { email, browser } = await registered();
    const link = await linkTo(email, '/verify-email');
    const [mail] = smtp.to(email);
    expect(mail!.subject).toBe('Confirm your email address for Gatehouse test');
    expect(mail!.text).not.toContain(PASSWORD);
    expect((await browser.get('/')).body).toContain('Confirm your email address');

    const elsewhere = new FormClient(stack.url);
    const page = await elsewhere.get(pathOf(link));
    expect(page.status).toBe(200);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const done = await click(elsewhere, link, '/verify-email');
    expect(done.location).toBe('/?verified=1');
    const home = await elsewhere.get(done.location!);
    expect(home.body).toContain('Your email address is confirmed, and you are logged in.');
    expect(home.body).not.toContain('Send it again');
    expect((await browser.get('/secret')).body).not.toContain('Send it again');

    const again = await click(new FormClient(stack.url), link, '/verify-email');
    expect(again.status).toBe(410);
    expect(again.body).toContain('This link was used already');
    const events = (await recentEvents(db.readWrite, { email, limit: 10 })).map((e) => e.event);
    expect(events).toEqual(expect.arrayContaining(['register', 'email_verification_requested', 'email_verified']));
  });

  it('refuses an expired link', async () => {
    const { email } = await registered();
    const link = await linkTo(email, '/verify-email');
    await db.readWrite`UPDATE account_tokens SET expires_at = now() - interval '1 minute' WHERE email = ${email} AND purpose = 'email_verification'`;
    const expired = await click(new FormClient(stack.url), link, '/verify-email');
    expect(expired.status).toBe(410);
    expect(expired.body).toContain('This link has expired');
  });

  it('is bound to its purpose: a reset token does not verify, a verification token does not reset', async () => {
    const { email } = await registered();
    const verifyLink = await linkTo(email, '/verify-email');
    expect((await new FormClient(stack.url).submit('/forgot-password', { email })).status).toBe(200);
    const resetLink = resetLinkIn((await smtp.waitFor(email, 30_000, 2))[1]!);
    expect((await click(new FormClient(stack.url), resetLink, '/verify-email')).status).toBe(404);
    expect((await new FormClient(stack.url).get(`/reset-password?token=${tokenOf(verifyLink)}`)).status).toBe(404);
    expect((await click(new FormClient(stack.url), verifyLink, '/verify-email')).status).toBe(303);
  });

  it('answers made-up links and forms without a CSRF token plainly', async () => {
    expect((await new FormClient(stack.url).get('/verify-email?token=junk')).status).toBe(404);
    expect((await new FormClient(stack.url).get('/confirm-email-change')).status).toBe(404);
    expect((await new FormClient(stack.url).post('/verify-email', { token: 'A'.repeat(43) })).status).toBe(403);
    expect((await click(new FormClient(stack.url), `${stack.url}/verify-email?token=${'A'.repeat(43)}`, '/verify-email')).status).toBe(404);
    const bad = await new FormClient(stack.url).submit('/verify-email/resend', { email: 'not an address' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('Enter an email address in the form name@example.com.');
  });
});

describe('EMAIL_VERIFICATION=optional', () => {
  it('shows the notice until confirmed; "send it again" sends another link, at most 3 an hour', async () => {
    const { email, browser } = await registered();
    for (const path of ['/', '/secret', '/account']) expect((await browser.get(path)).body).toContain('Send it again');
    for (let i = 0; i < 3; i++) {
      const sent = await browser.submit('/verify-email/resend', {}, '/');
      expect(sent.status).toBe(200);
      expect(sent.body).toContain('sent it a new link');
    }
    await smtp.waitFor(email, 30_000, 3);
    expect(await outboxCount(email)).toBe(3); // registration's and two more: the third was over the budget
    const latest = await linkTo(email, '/verify-email', 3);
    expect((await click(browser, latest, '/verify-email')).status).toBe(303);
    expect((await browser.get('/')).body).not.toContain('Send it again');
  });
});

describe('EMAIL_VERIFICATION=required', () => {
  it('registers without logging in, refuses the login until confirmed (not counted as a failure), resends, and the link logs in', async () => {
    const { email, browser, page } = await registered(requiredUrl);
    expect(page).toContain('sent a link to your email address.');
    expect((await browser.get('/secret')).status).toBe(303);
    const refused = await logIn(requiredUrl, email);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('Confirm your email address before you log in');
    expect((await logIn(requiredUrl, email, 'a wrong password')).status).toBe(401);
    const failures = await db.readWrite<{ n: number }[]>`SELECT coalesce(sum(failures), 0)::int AS n FROM login_failures WHERE email = ${email}`;
    expect(failures[0]!.n).toBe(1); // the wrong one; the right one was given back

    const resend = await new FormClient(requiredUrl).submit('/verify-email/resend', { email }, '/verify-email/resend');
    expect(resend.status).toBe(200);
    const link = await linkTo(email, '/verify-email', 2);
    const clicked = new FormClient(requiredUrl);
    expect((await click(clicked, link, '/verify-email')).location).toBe('/?verified=1');
    expect((await clicked.get('/secret')).status).toBe(200);
    expect((await logIn(requiredUrl, email)).status).toBe(303);
  });

  it('answers "send it again" for an unknown address exactly as for a known one, and sends nothing', async () => {
    const unknown = newEmail('nobody');
    const answer = await new FormClient(requiredUrl).submit('/verify-email/resend', { email: unknown }, '/verify-email/resend');
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('sent it a new link');
    expect(await outboxCount(unknown)).toBe(0);
  });
});

describe('changing the address', () => {
  const change = (browser: FormClient, newAddress: string, password = PASSWORD) =>
    browser.submit('/account/email', { 'new-email': newAddress, 'email-password': password }, '/account');

  it('needs the password; mails a link to the new address; changes only once clicked; tells the old address', async () => {
    const { email, browser } = await registered();
    const target = newEmail('moved');
    const wrong = await change(browser, target, 'not my password');
    expect(wrong.status).toBe(400);
    expect(wrong.body).toContain('That is not your current password.');
    expect((await change(browser, 'nonsense')).body).toContain('Enter an email address in the form name@example.com.');
    expect((await change(browser, email)).body).toContain('That is already the address of your account.');

    const asked = await change(browser, target);
    expect(asked.location).toBe('/account?done=email');
    const link = await linkTo(target, '/confirm-email-change');
    expect(smtp.to(target)[0]!.subject).toBe('Confirm your new email address for Gatehouse test');
    expect((await logIn(stack.url, email)).status).toBe(303); // nothing changed yet
    expect((await logIn(stack.url, target)).status).toBe(401);

    const done = await click(new FormClient(stack.url), link, '/confirm-email-change');
    expect(done.status).toBe(200);
    expect(done.body).toContain(`Your account now uses ${target}.`);
    const notices = await smtp.waitFor(email, 30_000, 2);
    const notice = notices.find((m) => m.subject === 'The email address of your Gatehouse test account was changed')!;
    expect(notice.text).toContain('now uses m•••@example.com');
    expect(notice.text).not.toContain(target);
    expect((await logIn(stack.url, target)).status).toBe(303);
    expect((await logIn(stack.url, email)).status).toBe(401);
    // The sessions followed the account: this browser is still logged in, as the new address.
    expect((await browser.get('/account')).body).toContain(`Logged in as <strong>${target}</strong>`);
    expect((await click(new FormClient(stack.url), link, '/confirm-email-change')).status).toBe(410);
    const events = (await recentEvents(db.readWrite, { email: target, limit: 5 })).map((e) => e.event);
    expect(events).toContain('email_changed');
  });

  it('refuses a taken address, and says so when it was taken between the request and the click', async () => {
    const { browser } = await registered();
    const other = await registered();
    expect((await change(browser, other.email)).body).toContain('Another account uses that address.');
    const target = newEmail('raced');
    expect((await change(browser, target)).location).toBe('/account?done=email');
    const link = await linkTo(target, '/confirm-email-change');
    expect((await new FormClient(stack.url).submit('/register', { email: target, password: PASSWORD })).status).toBe(303);
    const late = await click(new FormClient(stack.url), link, '/confirm-email-change');
    expect(late.status).toBe(409);
    expect(late.body).toContain('Another account started using that address');
  });
});

describe('the new actions on the bus', () => {
  it('answer malformed requests with a clear error, and forged tokens with nothing done', async () => {
    const connection = connectAmqp({ urls: [inject('amqpUrl')], name: 'verification-test', logger: testLogger });
    const ask = (value: unknown) => rawRequest(connection, stack.queue, Buffer.from(JSON.stringify(value)));
    try {
      expect(await ask({ action: 'VERIFICATION_SEND', data: {} })).toEqual({ success: false, message: 'data: email or tokenHash is required' });
      expect(await ask({ action: 'EMAIL_VERIFY', data: { tokenHash: 'nope' } })).toMatchObject({ success: false, message: expect.stringContaining('data.tokenHash: tokenHash must be 64 lowercase hex characters') });
      expect(await ask({ action: 'EMAIL_CHANGE_REQUEST', data: { tokenHash: '0'.repeat(64), newEmail: 'x' } })).toMatchObject({ success: false, message: 'data.newEmail: email is not a valid address' });
      expect(await ask({ action: 'VERIFICATION_STATUS', data: { email: 7 } })).toMatchObject({ success: false, message: expect.stringContaining('data.email') });
      expect(await ask({ action: 'EMAIL_CHANGE', data: { tokenHash: 'f'.repeat(64) } })).toEqual({ success: false, tokenState: 'unknown' });
      expect(await ask({ action: 'EMAIL_CHANGE_REQUEST', data: { tokenHash: '0'.repeat(64), newEmail: 'a@example.com' } })).toEqual({ success: false });
    } finally {
      await connection.close();
    }
  });
});

describe('migration 0009', () => {
  it('counts accounts made before it as verified at their registration, and later ones as not', async () => {
    const before = await mkdtemp(join(tmpdir(), 'migrations-'));
    const old = connectDatabase({ url: await createTestDatabase(inject('postgresUrl')) });
    try {
      for (const file of (await readdir(MIGRATIONS_DIR)).filter((f) => f < '0009')) await copyFile(join(MIGRATIONS_DIR, file), join(before, file));
      await migrate(old.readWrite, { dir: before });
      await old.readWrite`INSERT INTO users (email, hash, created_at) VALUES ('early@example.com', 'h', now() - interval '1 year')`;
      await migrate(old.readWrite);
      await old.readWrite`INSERT INTO users (email, hash) VALUES ('late@example.com', 'h')`;
      const rows = await old.readWrite<{ email: string; same: boolean | null }[]>`
        SELECT email, email_verified_at = created_at AS same FROM users ORDER BY email`;
      expect(rows).toEqual([{ email: 'early@example.com', same: true }, { email: 'late@example.com', same: null }]);
    } finally {
      await old.close();
      await rm(before, { recursive: true, force: true });
    }
  });
});
