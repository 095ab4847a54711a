import { expect } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { fillAndSubmit, focused, PASSWORD, register, submitLogin, type BrowserStack } from '../support/browser-stack.js';
import { linkIn } from '../support/smtp-catcher.js';
import { newEmail } from '../support/test-ids.js';

/**
 * The page cases of issue 19's "verify the address", run by pages.test.ts with the others (on
 * its one stack, checked alike), and the helpers both files use.
 */
export interface Ctx {
  stack: BrowserStack;
  context: BrowserContext;
  page: Page;
}
export interface PageCase {
  name: string;
  /** Brings the page into the state to check, asserting what the user should see. */
  open(ctx: Ctx): Promise<void>;
}

export const main = (page: Page) => page.textContent('main');
export const title = (page: Page) => page.title();

/** Opens `path` and expects a 200 page. */
export const visit = (path: string) => async ({ page }: Ctx) => {
  expect((await page.goto(path))?.status()).toBe(200);
};

/** The path of the newest link to `path` mailed to `email` (a new account also gets its verification link). */
export const mailedPath = async (stack: BrowserStack, email: string, path: string) => {
  const carries = () => stack.smtp.to(email).filter((mail) => (mail.text ?? '').includes(`${path}?token=`));
  await expect.poll(() => carries().length, { timeout: 30_000 }).toBeGreaterThan(0);
  const link = new URL(linkIn(carries().at(-1)!, path));
  return link.pathname + link.search;
};
/** Registers a fresh user in `page` and opens the verification link it was mailed. */
async function verifyLinkOpened(page: Page, stack: BrowserStack): Promise<string> {
  const email = newEmail('verify');
  await register(page, email);
  const path = await mailedPath(stack, email, '/verify-email');
  expect((await page.goto(path))?.status()).toBe(200);
  return path;
}
let required: Promise<{ url: string }> | undefined;
/** One Front End with EMAIL_VERIFICATION=required, started for the first case that needs it. */
const requiredFrontEnd = (stack: BrowserStack) => (required ??= stack.addFrontEnd({ emailVerification: 'required', rateLimitPerMinute: 100_000 }));
/** Asks, from the Account page, to move `page`'s fresh user to a new address; returns that address. */
async function changeAsked(page: Page): Promise<string> {
  const target = newEmail('moved');
  await register(page, newEmail('changing'));
  await page.goto('/account');
  await fillAndSubmit(page, { 'new-email': target, 'email-password': PASSWORD }, 'form[action="/account/email"] button');
  return target;
}

export const VERIFICATION_PAGES: PageCase[] = [
  {
    name: 'verify-notice',
    async open({ page }) {
      await register(page, newEmail('notice'));
      expect(await page.textContent('.verify-notice')).toContain('Confirm your email address');
      await page.click('.verify-notice button');
      expect(await main(page)).toContain('sent it a new link');
    },
  },
  { name: 'verify-email', open: async ({ page, stack }) => void (await verifyLinkOpened(page, stack)) },
  {
    name: 'home-after-verify',
    async open({ page, stack }) {
      await verifyLinkOpened(page, stack);
      await fillAndSubmit(page, {});
      expect(await main(page)).toContain('Your email address is confirmed, and you are logged in.');
      expect(await page.isVisible('.verify-notice')).toBe(false);
    },
  },
  {
    name: 'verify-link-used',
    async open({ page, stack }) {
      const path = await verifyLinkOpened(page, stack);
      await fillAndSubmit(page, {});
      await page.goto(path);
      expect(await fillAndSubmit(page, {})).toBe(410);
      expect(await main(page)).toContain('This link was used already');
    },
  },
  { name: 'verify-resend', open: visit('/verify-email/resend') },
  {
    name: 'verify-resend-invalid',
    async open({ page }) {
      await page.goto('/verify-email/resend');
      expect(await fillAndSubmit(page, { email: 'not-an-email' })).toBe(400);
      expect(await focused(page)).toBe('email');
    },
  },
  {
    name: 'register-check-email',
    async open({ page, stack }) {
      const required = await requiredFrontEnd(stack);
      await page.goto(`${required.url}/register`);
      await fillAndSubmit(page, { email: newEmail('required'), password: PASSWORD });
      expect(await main(page)).toContain('sent a link to your email address');
    },
  },
  {
    name: 'login-verify-first',
    async open({ page, stack }) {
      const required = await requiredFrontEnd(stack);
      const email = newEmail('required');
      await page.goto(`${required.url}/register`);
      await fillAndSubmit(page, { email, password: PASSWORD });
      await page.goto(`${required.url}/login`);
      expect(await submitLogin(page, email)).toBe(403);
      expect(await main(page)).toContain('Confirm your email address before you log in');
    },
  },
  {
    name: 'account-email-sent',
    async open({ page }) {
      await changeAsked(page);
      expect(await main(page)).toContain('We sent a link to your new address.');
    },
  },
  {
    name: 'account-email-invalid',
    async open({ page }) {
      await register(page, newEmail('changing'));
      await page.goto('/account');
      await fillAndSubmit(page, { 'new-email': 'nonsense', 'email-password': PASSWORD }, 'form[action="/account/email"] button');
      expect(await title(page)).toMatch(/^Error: /);
      expect(await focused(page)).toBe('new-email');
    },
  },
  {
    name: 'email-changed',
    async open({ page, stack }) {
      const target = await changeAsked(page);
      // The link's page is the verify-email case's template, checked there.
      expect((await page.goto(await mailedPath(stack, target, '/confirm-email-change')))?.status()).toBe(200);
      await fillAndSubmit(page, {});
      expect(await main(page)).toContain(`Your account now uses ${target}.`);
    },
  },
];
