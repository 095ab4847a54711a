import { randomUUID } from 'node:crypto';
import { expect, inject } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { loadBackEndConfig, startBackEnd, type RunningBackEnd } from '@gatehouse/back-end';
import { startFrontEnd, type FrontEndConfig, type RunningFrontEnd } from '@gatehouse/front-end';
import { smtpTransport, startMailQueueConsumer, type RunningMailer } from '@gatehouse/mailer';
import { createTestDatabase } from '../harness/postgres.js';
import { launchChromium } from './chromium.js';
import { testFrontEndConfig } from './front-end-config.js';
import { testLogger as logger } from './silent-logger.js';
import { SmtpCatcher } from './smtp-catcher.js';
import { codeAt, TEST_MFA_KEY } from './totp-client.js';

export const PASSWORD = 'correct horse battery staple';

/** From the Account page: switches TOTP on for the logged-in user of `page`; returns the secret. The page ends on the recovery codes. */
export async function enrolTotpIn(page: Page): Promise<string> {
  await page.goto('/account');
  await fillAndSubmit(page, {}, 'form[action="/account/totp/start"] button');
  const secret = (await page.textContent('#totp-secret'))!.replace(/\s/g, '');
  await fillAndSubmit(page, { 'enrol-password': PASSWORD, 'totp-code': codeAt(secret) }, 'form[action="/account/totp/confirm"] button');
  return secret;
}
/** The first Front End's ADMIN_TOKEN: /status is one of the pages under test. */
export const ADMIN_TOKEN = `browser-admin-${randomUUID()}`;

/**
 * A real Back End (harness RabbitMQ and PostgreSQL) and Front End in this process, and
 * Chromium. More Front Ends can join the same queue with other settings (a small rate
 * limit); the Back End can be stopped on purpose (503 pages).
 */
export interface BrowserStack {
  url: string;
  browser: Browser;
  /** Where the stack's Mailer delivers: the reset links of the pages under test. */
  smtp: SmtpCatcher;
  addFrontEnd(overrides: Partial<FrontEndConfig>): Promise<RunningFrontEnd>;
  stopBackEnd(): Promise<void>;
  stop(): Promise<void>;
}

export async function startBrowserStack(): Promise<BrowserStack> {
  const amqpUrl = inject('amqpUrl');
  const queue = `request.${randomUUID()}`;
  const mailQueue = `mail.${randomUUID()}`;
  const databaseUrl = await createTestDatabase(inject('postgresUrl'));
  let backEnd: RunningBackEnd | undefined = await startBackEnd(
    loadBackEndConfig({ AMQP_URL: amqpUrl, DATABASE_URL: databaseUrl, REQUEST_QUEUE: queue, MAIL_QUEUE: mailQueue, MFA_ENCRYPTION_KEY: TEST_MFA_KEY }),
    logger,
  );
  const frontEnds: RunningFrontEnd[] = [];
  const addFrontEnd = async (overrides: Partial<FrontEndConfig>) => {
    const frontEnd = await startFrontEnd(testFrontEndConfig(amqpUrl, queue, overrides), logger);
    frontEnds.push(frontEnd);
    return frontEnd;
  };
  // Many logins from one address: the rate limit has its own test, with its own Front End.
  const first = await addFrontEnd({ rateLimitPerMinute: 100_000, adminToken: ADMIN_TOKEN });
  const smtp = await SmtpCatcher.start();
  const mailer: RunningMailer = await startMailQueueConsumer(
    {
      amqpUrls: [amqpUrl], requestQueue: queue, queueMode: 'quorum', mailQueue, rpcTimeoutMs: 5000, leaseMs: 60_000, concurrency: 2,
      site: { name: 'Gatehouse', publicUrl: first.url, from: 'no-reply@127.0.0.1' }, transport: smtpTransport(smtp.url),
    },
    logger,
  );
  const chromium = await launchChromium();
  const stopBackEnd = async () => {
    const running = backEnd;
    backEnd = undefined;
    await running?.stop();
  };
  return {
    url: first.url,
    browser: chromium.browser,
    smtp,
    addFrontEnd,
    stopBackEnd,
    async stop() {
      await chromium.close();
      await mailer.stop();
      await Promise.all(frontEnds.map((f) => f.stop()));
      await stopBackEnd();
      await smtp.down();
    },
  };
}

/**
 * Fills and sends a form of the current page the way a user does, and waits for the answer:
 * its status, or after a redirect the status of the page it led to.
 */
export async function fillAndSubmit(page: Page, fields: Record<string, string>, button = 'form button[type=submit]'): Promise<number | undefined> {
  for (const [name, value] of Object.entries(fields)) await page.fill(`input[name=${name}]`, value);
  const [response] = await Promise.all([page.waitForNavigation({ timeout: 30_000 }), page.click(button)]);
  return response?.status();
}

/** Registers through the page; the user lands on the home page, logged in. */
export async function register(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto('/register');
  await fillAndSubmit(page, { email, password });
  expect(new URL(page.url()).pathname).toBe('/');
}

/** Sends the login form from /login (or the login page the browser is on). */
export async function submitLogin(page: Page, email: string, password = PASSWORD): Promise<number | undefined> {
  if (new URL(page.url()).pathname !== '/login') await page.goto('/login');
  return fillAndSubmit(page, { email, password });
}

/** The id of the element that has the focus, or the tag name for one without an id. */
export function focused(page: Page): Promise<string> {
  // A string: it runs in the page, and these files are type-checked without the DOM's types.
  return page.evaluate<string>(`document.activeElement?.id || document.activeElement?.tagName.toLowerCase() || ''`);
}
