import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { loadBackEndConfig, startBackEnd, type RunningBackEnd } from '@gatehouse/back-end';
import { startFrontEnd, type RunningFrontEnd } from '@gatehouse/front-end';
import { createTestDatabase } from '../harness/postgres.js';
import { launchChromium } from '../support/chromium.js';
import { testFrontEndConfig } from '../support/front-end-config.js';
import { testLogger as logger } from '../support/silent-logger.js';

const amqpUrl = inject('amqpUrl');
const queue = `request.${randomUUID()}`;
let backEnd: RunningBackEnd;
let frontEnd: RunningFrontEnd;
let chromium: { browser: Browser; close(): Promise<void> };

beforeAll(async () => {
  const databaseUrl = await createTestDatabase(inject('postgresUrl'));
  backEnd = await startBackEnd(loadBackEndConfig({ AMQP_URL: amqpUrl, DATABASE_URL: databaseUrl, REQUEST_QUEUE: queue }), logger);
  frontEnd = await startFrontEnd(testFrontEndConfig(amqpUrl, queue), logger);
  chromium = await launchChromium();
});

afterAll(async () => {
  await chromium?.close();
  await frontEnd?.stop();
  await backEnd?.stop();
});

it('registers, lands logged in, logs out, is kept from /secret, logs in and sees /secret', async () => {
  const page = await chromium.browser.newPage({ baseURL: frontEnd.url });
  const email = `browser-${randomUUID()}@example.com`;
  const password = 'correct horse battery staple';

  await page.goto('/register');
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${frontEnd.url}/`);
  expect(await page.textContent('main')).toContain(`Logged in as ${email}`);

  await page.click('a[href="/logout"]');
  await page.click('button[type=submit]');
  await page.waitForURL(`${frontEnd.url}/`);
  expect(await page.textContent('main')).toContain('You are not logged in');

  await page.goto('/secret');
  expect(new URL(page.url()).pathname).toBe('/login');

  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', 'not the password');
  await page.click('button[type=submit]');
  expect(await page.textContent('main')).toContain('invalid email or password');

  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${frontEnd.url}/`);
  await page.goto('/secret');
  expect(new URL(page.url()).pathname).toBe('/secret');
  expect(await page.textContent('h1')).toBe('The secret page');
  await page.close();
});
