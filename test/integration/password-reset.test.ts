import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { connectDatabase, type Database } from '@gatehouse/database';
import { FormClient } from '../support/form-client.js';
import { spawnService, type ServiceProcess } from '../support/service-process.js';
import { resetLinkIn, SmtpCatcher } from '../support/smtp-catcher.js';
import { startStack, type Stack } from '../support/stack.js';
import { newEmail } from '../support/test-ids.js';
import { freePort } from '../harness/free-port.js';
import { UNIFORM_ANSWER_MS } from '../../services/front-end/src/http/uniform-timing.js';

/**
 * Issue 19: "forgot password" end to end on real servers: a Back End and a Front End process,
 * the harness's RabbitMQ and PostgreSQL, a Mailer process, and a real SMTP server whose mails
 * are parsed with mailparser.
 */

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';
const mailQueue = `mail.${randomUUID()}`;
let stack: Stack;
let db: Database;
let smtp: SmtpCatcher;
let mailer: ServiceProcess;
let healthPort: number;
let mailerHealthPort: number;
/** The Back End's gauge of mails not yet accepted by an SMTP server. */
const unsentMails = async () => {
  const text = await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
  return Number(/^gatehouse_outbox_mails\{state="unsent"\} (\d+)$/m.exec(text)?.[1]);
};

const startMailer = () =>
  spawnService('services/mailer/src/main.ts', {
    AMQP_URL: inject('amqpUrl'),
    REQUEST_QUEUE: stack.queue,
    MAIL_QUEUE: mailQueue,
    SMTP_URL: smtp.url,
    PUBLIC_URL: stack.url,
    SITE_NAME: 'Gatehouse test',
    MAIL_LEASE_SECONDS: '5',
    HEALTH_PORT: String(mailerHealthPort),
  });

beforeAll(async () => {
  smtp = await SmtpCatcher.start();
  healthPort = await freePort();
  mailerHealthPort = await freePort();
  // No verification links here: every mail to an address is the reset link the test asked for.
  stack = await startStack({ EMAIL_VERIFICATION: 'off' }, { MAIL_QUEUE: mailQueue, HEALTH_PORT: String(healthPort) });
  db = connectDatabase({ url: stack.databaseUrl });
  mailer = startMailer();
  await mailer.waitFor(/Consuming the mail queue/);
});
afterAll(async () => {
  await mailer?.stop();
  await db?.close();
  await stack?.stop();
  await smtp?.down();
});

async function registered(): Promise<{ email: string; browser: FormClient }> {
  const email = newEmail('reset');
  const browser = new FormClient(stack.url);
  expect((await browser.submit('/register', { email, password: PASSWORD })).status).toBe(303);
  return { email, browser };
}

async function askForLink(email: string): Promise<string> {
  const page = await new FormClient(stack.url).submit('/forgot-password', { email });
  expect(page.status).toBe(200);
  expect(page.body).toContain('If an account exists for that address');
  const [mail] = await smtp.waitFor(email);
  return new URL(resetLinkIn(mail!)).pathname + new URL(resetLinkIn(mail!)).search;
}

const logIn = (email: string, password: string) => new FormClient(stack.url).submit('/login', { email, password });

describe('forgot password', () => {
  it('mails a link that sets a new password, logs in, ends the other sessions and is spent', async () => {
    const { email, browser: other } = await registered();
    expect((await other.get('/secret')).status).toBe(200);

    const link = await askForLink(email);
    const [mail] = smtp.to(email);
    expect(mail!.subject).toBe('Reset your Gatehouse test password');
    expect(mail!.text).toContain(email);
    expect(mail!.text).toContain('Gatehouse test');
    expect(mail!.html).toContain(`href="${stack.url}/reset-password?token=`);
    expect(mail!.text).not.toContain(PASSWORD);

    const browser = new FormClient(stack.url);
    const form = await browser.get(link);
    expect(form.status).toBe(200);
    expect(form.body).toContain(email);
    // The token is in this page's URL and form: neither a cache nor a Referer header may keep it.
    expect(form.headers.get('cache-control')).toBe('no-store');
    expect(form.headers.get('referrer-policy')).toBe('no-referrer');
    const done = await browser.submit('/reset-password', { token: new URL(link, stack.url).searchParams.get('token')!, password: NEW_PASSWORD }, link);
    expect(done.status).toBe(303);
    expect((await browser.get(done.location!)).body).toContain('Your password was changed');
    expect((await browser.get('/secret')).status).toBe(200);

    // The session from before the reset is over, the old password is refused, the new one works.
    expect((await other.get('/secret')).status).toBe(303);
    expect((await logIn(email, PASSWORD)).status).toBe(401);
    expect((await logIn(email, NEW_PASSWORD)).status).toBe(303);

    const again = await new FormClient(stack.url).get(link);
    expect(again.status).toBe(410);
    expect(again.body).toContain('This link was used already');
  });

  it('lets one of two clicks at once change the password; the other is told the link was used', async () => {
    const { email } = await registered();
    const link = await askForLink(email);
    const token = new URL(link, stack.url).searchParams.get('token')!;
    const [a, b] = [new FormClient(stack.url), new FormClient(stack.url)];
    // Both forms are loaded first, as two tabs would be; then both are sent at once.
    const [tokenA, tokenB] = [await a.formToken(link), await b.formToken(link)];
    const results = await Promise.all([
      a.post('/reset-password', { _csrf: tokenA, token, password: NEW_PASSWORD }),
      b.post('/reset-password', { _csrf: tokenB, token, password: 'another new passphrase' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 410]);
    const winner = results[0]!.status === 303 ? NEW_PASSWORD : 'another new passphrase';
    expect((await logIn(email, winner)).status).toBe(303);
  });

  it('answers an unknown address exactly as a known one, and sends it nothing', async () => {
    const unknown = newEmail('nobody');
    const known = (await registered()).email;
    const [a, b] = [await new FormClient(stack.url).submit('/forgot-password', { email: unknown }), await new FormClient(stack.url).submit('/forgot-password', { email: known })];
    expect(a.status).toBe(b.status);
    const message = (body: string) => /<p role="status">([^<]*)<\/p>/.exec(body)?.[1];
    expect(message(a.body)).toBeDefined();
    expect(message(a.body)).toBe(message(b.body));
    await smtp.waitFor(known);
    const [row] = await db.readWrite<{ n: number }[]>`SELECT count(*)::int AS n FROM outbox WHERE lower(recipient) = ${unknown}`;
    expect(row!.n).toBe(0);
    expect(smtp.to(unknown)).toHaveLength(0);
  });

  it('takes as long for an unknown address as for a known one (the answer waits for a floor)', async () => {
    const known = (await registered()).email;
    const timed = async (email: string) => {
      const browser = new FormClient(stack.url);
      const token = await browser.formToken('/forgot-password');
      const started = performance.now();
      const page = await browser.post('/forgot-password', { _csrf: token, email });
      expect(page.status).toBe(200);
      return performance.now() - started;
    };
    const times: Record<'known' | 'unknown', number[]> = { known: [], unknown: [] };
    // Alternated, so a slow moment of the machine falls on both; 3 known ones stay under the hourly budget.
    for (let i = 0; i < 3; i++) {
      times.known.push(await timed(known));
      times.unknown.push(await timed(newEmail('nobody')));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    for (const t of [...times.known, ...times.unknown]) expect(t).toBeGreaterThanOrEqual(UNIFORM_ANSWER_MS);
    expect(Math.abs(median(times.known) - median(times.unknown))).toBeLessThan(50);
  });

  it('sends at most 3 links per address per hour, answering the 4th request alike', async () => {
    const { email } = await registered();
    for (let i = 0; i < 4; i++) expect((await new FormClient(stack.url).submit('/forgot-password', { email })).status).toBe(200);
    await smtp.waitFor(email, 30_000, 3);
    const [row] = await db.readWrite<{ n: number }[]>`SELECT count(*)::int AS n FROM outbox WHERE recipient = ${email}`;
    expect(row!.n).toBe(3);
  });

  it('clears the lockout: a locked-out owner who resets logs in at once', async () => {
    const { email } = await registered();
    for (let i = 0; i < 6; i++) await logIn(email, 'wrong password guess');
    expect((await logIn(email, PASSWORD)).status).toBe(401); // locked
    const link = await askForLink(email);
    const browser = new FormClient(stack.url);
    const token = new URL(link, stack.url).searchParams.get('token')!;
    expect((await browser.submit('/reset-password', { token, password: NEW_PASSWORD }, link)).status).toBe(303);
    expect((await logIn(email, NEW_PASSWORD)).status).toBe(303);
  });

  it('refuses a made-up link, and a new password that breaks the rules', async () => {
    expect((await new FormClient(stack.url).get('/reset-password?token=not-a-token')).status).toBe(404);
    expect((await new FormClient(stack.url).get(`/reset-password?token=${'A'.repeat(43)}`)).status).toBe(404);
    const { email } = await registered();
    const link = await askForLink(email);
    const token = new URL(link, stack.url).searchParams.get('token')!;
    const weak = await new FormClient(stack.url).submit('/reset-password', { token, password: 'short' }, link);
    expect(weak.status).toBe(400);
    expect((await logIn(email, PASSWORD)).status).toBe(303); // unchanged, and the link still works
    expect((await new FormClient(stack.url).get(link)).status).toBe(200);
  });
});

describe('the Mailer', () => {
  it('answers /readyz while it consumes the mail queue, and counts the mails it sent on /metrics', async () => {
    const base = `http://127.0.0.1:${mailerHealthPort}`;
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
    const text = await (await fetch(`${base}/metrics`)).text();
    // Every test above sent at least one mail through this Mailer.
    expect(Number(/^gatehouse_mailer_messages_total\{outcome="sent"\} (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/^gatehouse_mailer_in_progress 0$/m);
  });
});

describe('mail under faults', () => {
  it('keeps a mail while the SMTP server is down, and sends it once the server is back', async () => {
    const { email } = await registered();
    await smtp.down();
    try {
      expect((await new FormClient(stack.url).submit('/forgot-password', { email })).status).toBe(200);
      await mailer.waitFor(/Mail not sent yet; retrying/, 20_000);
      expect(await unsentMails()).toBeGreaterThanOrEqual(1);
    } finally {
      await smtp.up();
    }
    expect(await smtp.waitFor(email, 60_000)).toHaveLength(1);
    await expect.poll(unsentMails, { timeout: 10_000 }).toBe(0);
  });

  it('sends a mail the relay never published (a Back End that died after the commit): the sweep finds it', async () => {
    const recipient = newEmail('swept');
    const data = { token: 'B'.repeat(43), expiresAt: new Date(Date.now() + 30 * 60_000).toISOString() };
    await db.readWrite`INSERT INTO outbox (id, template, recipient, data) VALUES (${randomUUID()}, 'password_reset', ${recipient}, ${db.readWrite.json(data)})`;
    expect(await smtp.waitFor(recipient, 30_000)).toHaveLength(1);
  });

  it('sends a mail exactly once when its Mailer is killed mid-send', async () => {
    const { email } = await registered();
    smtp.holdData(true);
    const before = smtp.dataReceived;
    let replacement: ServiceProcess | undefined;
    try {
      expect((await new FormClient(stack.url).submit('/forgot-password', { email })).status).toBe(200);
      while (smtp.dataReceived === before) await new Promise((r) => setTimeout(r, 50));
      await mailer.stop('SIGKILL'); // the SMTP server never answered: the mail was not accepted
      smtp.holdData(false);
      replacement = startMailer();
      expect(await smtp.waitFor(email, 60_000)).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 3000));
      expect(smtp.to(email)).toHaveLength(1);
      const [row] = await db.readWrite<{ sent: boolean; data: unknown }[]>`SELECT sent_at IS NOT NULL AS sent, data FROM outbox WHERE recipient = ${email}`;
      expect(row).toEqual({ sent: true, data: null });
    } finally {
      smtp.holdData(false);
      mailer = replacement ?? startMailer();
    }
  });
});
