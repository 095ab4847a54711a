import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { loadBackEndConfig, startBackEnd, type RunningBackEnd } from '@gatehouse/back-end';
import { startFrontEnd, type RunningFrontEnd } from '@gatehouse/front-end';
import { freePort } from '../harness/free-port.js';
import { createTestDatabase } from '../harness/postgres.js';
import { fillAndSubmit, PASSWORD, register, submitLogin } from '../support/browser-stack.js';
import { launchChromium } from '../support/chromium.js';
import { testFrontEndConfig } from '../support/front-end-config.js';
import { checkPage, watchCsp } from '../support/page-checks.js';
import { testLogger as logger } from '../support/silent-logger.js';
import { newEmail } from '../support/test-ids.js';

// Issue 20 §2 and §3: passkeys in real Chromium, with CDP's virtual authenticator (a CTAP2
// platform authenticator with resident keys and user verification, which answers by itself).
// Browsers refuse IP addresses as RP IDs, so the site is opened as http://localhost:<port>,
// the origin the Back End is configured with (WEBAUTHN_ORIGIN).
let backEnd: RunningBackEnd;
let frontEnd: RunningFrontEnd;
/** The same site on another port: another origin, which the Back End must refuse answers from. */
let otherFrontEnd: RunningFrontEnd;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let origin: string;
let otherOrigin: string;

beforeAll(async () => {
  const amqpUrl = inject('amqpUrl');
  const queue = `request.${randomUUID()}`;
  const port = await freePort();
  origin = `http://localhost:${port}`;
  const env = { AMQP_URL: amqpUrl, DATABASE_URL: await createTestDatabase(inject('postgresUrl')), REQUEST_QUEUE: queue, MAIL_QUEUE: `mail.${randomUUID()}`, WEBAUTHN_ORIGIN: origin };
  backEnd = await startBackEnd(loadBackEndConfig(env), logger);
  frontEnd = await startFrontEnd(testFrontEndConfig(amqpUrl, queue, { port, rateLimitPerMinute: 100_000 }), logger);
  const otherPort = await freePort();
  otherOrigin = `http://localhost:${otherPort}`;
  otherFrontEnd = await startFrontEnd(testFrontEndConfig(amqpUrl, queue, { port: otherPort, rateLimitPerMinute: 100_000 }), logger);
  chromium = await launchChromium();
});
afterAll(async () => {
  await chromium?.close();
  await otherFrontEnd?.stop();
  await frontEnd?.stop();
  await backEnd?.stop();
});

/** A browser profile with a virtual passkey authenticator attached to its page. */
async function withAuthenticator(): Promise<{ context: BrowserContext; page: Page; cdp: CDPSession; authenticatorId: string; cspRefusals: string[] }> {
  const context = await chromium.browser.newContext({ baseURL: origin });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { context, page, cdp, authenticatorId, cspRefusals: watchCsp(page) };
}

/** Clicks a passkey button: the script runs the ceremony and posts the form; resolves on the page it led to. */
async function ceremony(page: Page, button: string): Promise<string> {
  await Promise.all([page.waitForNavigation({ timeout: 30_000 }), page.click(button)]);
  return new URL(page.url()).pathname + new URL(page.url()).search;
}

describe('passkeys in Chromium', () => {
  const email = newEmail('passkey-browser');
  let browser: Awaited<ReturnType<typeof withAuthenticator>>;

  it('adds a passkey from the Account page and lists it', async () => {
    browser = await withAuthenticator();
    const { page } = browser;
    await register(page, email);
    await page.goto('/account');
    await page.fill('input[name="passkey-name"]', 'Virtual key');
    await page.fill('input[name="passkey-password"]', PASSWORD);
    expect(await ceremony(page, 'form[data-passkey="register"] button')).toBe('/account?done=passkey-added');
    expect(await page.textContent('main')).toContain('Your passkey was added');
    expect(await page.textContent('.passkeys-table')).toContain('Virtual key');
    const { credentials } = await browser.cdp.send('WebAuthn.getCredentials', { authenticatorId: browser.authenticatorId });
    expect(credentials).toEqual([expect.objectContaining({ isResidentCredential: true, rpId: 'localhost' })]);
    await checkPage(page, 'account-passkeys');
  });

  it('logs out, then signs in with the passkey alone: no email typed', async () => {
    const { page, context } = browser;
    await context.clearCookies();
    await page.goto('/login');
    expect(await page.isVisible('text=Sign in with a passkey')).toBe(true);
    await checkPage(page, 'login-passkey');
    expect(await ceremony(page, 'form[data-passkey="authenticate"] button')).toBe('/');
    await page.goto('/secret');
    expect(await page.textContent('main')).toContain(email);
  });

  it('refuses the answer Chromium posted when it is posted again: its challenge was spent', async () => {
    const { page, context } = browser;
    await context.clearCookies();
    await page.goto('/login');
    const posted = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/login/passkey');
    expect(await ceremony(page, 'form[data-passkey="authenticate"] button')).toBe('/');
    const original = await posted;
    // The same body with the same cookies (the CSRF secret and the flow's token), from a client of its own.
    const replay = await chromium.browser.newContext({ baseURL: origin });
    const { cookie = '', 'content-type': contentType = '' } = await original.allHeaders();
    const res = await replay.request.post('/login/passkey', { headers: { cookie, 'content-type': contentType }, data: original.postData()!, maxRedirects: 0 });
    expect(res.status()).toBe(401);
    expect(res.headers()['set-cookie'] ?? '').not.toMatch(/(^|\n)session=/);
    await replay.close();
  });

  it('refuses an answer Chromium made for another origin (the same site on another port)', async () => {
    const { page, context } = browser;
    await context.clearCookies();
    // localhost on another port: the RP ID still matches, so Chromium answers; the origin in its answer does not.
    await page.goto(`${otherOrigin}/login`);
    expect(await ceremony(page, 'form[data-passkey="authenticate"] button')).toBe('/login/passkey');
    expect(await page.textContent('main')).toContain('That passkey was not accepted');
    expect((await context.cookies(otherOrigin)).map((c) => c.name)).not.toContain('session');
  });

  it('uses the passkey as the second factor after the password', async () => {
    const { page, context } = browser;
    await context.clearCookies();
    expect(await submitLogin(page, email, PASSWORD)).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/login/second-factor');
    expect(await page.isVisible('text=Use a passkey')).toBe(true);
    await checkPage(page, 'second-factor-passkey');
    expect(await ceremony(page, 'form[data-passkey="authenticate"] button')).toBe('/');
    await page.goto('/secret');
    expect(await page.textContent('main')).toContain(email);
  });

  it('removes the passkey after a confirmation page; then it no longer signs in', async () => {
    const { page, context } = browser;
    await page.goto('/account');
    expect(await fillAndSubmit(page, {}, 'form[action="/account/passkeys/remove"] button')).toBe(200);
    expect(await page.textContent('h1')).toContain('Virtual key');
    await checkPage(page, 'passkey-remove');
    expect(await fillAndSubmit(page, {}, 'form[action="/account/passkeys/remove"] button')).toBe(200);
    expect(new URL(page.url()).search).toBe('?done=passkey-removed');
    await context.clearCookies();
    await page.goto('/login');
    // The authenticator still holds the key; the site no longer knows it.
    await ceremony(page, 'form[data-passkey="authenticate"] button');
    expect(await page.textContent('main')).toContain('That passkey was not accepted');
    expect(browser.cspRefusals).toEqual([]);
    await context.close();
  });

  it('hides the passkey buttons without JavaScript, and the password login still works', async () => {
    const context = await chromium.browser.newContext({ baseURL: origin, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto('/login');
    expect(await page.isVisible('text=Sign in with a passkey')).toBe(false);
    expect(await page.isVisible('input[name="password"]')).toBe(true);
    await context.close();
  });
});
