import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { PasswordErrors } from '@gatehouse/front-end';
import { ADMIN_TOKEN, enrolTotpIn, fillAndSubmit, focused, PASSWORD, register, startBrowserStack, submitLogin, type BrowserStack } from '../support/browser-stack.js';
import { checkPage, watchCsp } from '../support/page-checks.js';
import { newEmail } from '../support/test-ids.js';
import { mailedPath, main, title, VERIFICATION_PAGES, visit, type Ctx, type PageCase } from './verification-pages.js';

/**
 * Every page and every error path in a real browser, each then checked by checkPage: axe-core
 * (no serious or critical violations) in light and dark mode, at 320 px and on a desktop,
 * with a screenshot of each under test-artifacts/screenshots/. A new page is one line:
 * `{ name: 'about', open: visit('/about') }`. The cases run in order; the last one stops
 * the Back End.
 */
let stack: BrowserStack;
beforeAll(async () => {
  stack = await startBrowserStack();
});
afterAll(() => stack?.stop());

/** Whether this browser's cookies are refused /secret, asked aside so the page stays as it is. */
const keptFromSecret = async (page: Page) => {
  const res = await page.request.get('/secret', { maxRedirects: 0 });
  return res.status() === 303 && res.headers().location === '/login?next=%2Fsecret';
};

/** Registers a fresh user, then opens `path`. */
const asUser = (path: string) => async (ctx: Ctx) => {
  await register(ctx.page, newEmail('pages'));
  await visit(path)(ctx);
};

/** Registers `prefix`'s new user in a browser of its own, and asks for a reset link for it from `page`. */
async function linkRequested(page: Page, prefix: string): Promise<string> {
  const email = newEmail(prefix);
  const other = await stack.browser.newContext({ baseURL: stack.url });
  await register(await other.newPage(), email);
  await other.close();
  await page.goto('/forgot-password');
  await fillAndSubmit(page, { email });
  return email;
}
const resetPath = (stack: BrowserStack, email: string) => mailedPath(stack, email, '/reset-password');

/** A new user with TOTP on, logged out, then through the password step: the browser is on the code page. */
async function atCodePage(page: Page): Promise<void> {
  const email = newEmail('totp');
  await register(page, email);
  await enrolTotpIn(page);
  await page.context().clearCookies();
  await submitLogin(page, email);
  expect(new URL(page.url()).pathname).toBe('/login/second-factor');
}

const PAGES: PageCase[] = [
  { name: 'home', open: visit('/') },
  { name: 'register', open: visit('/register') },
  { name: 'login', open: visit('/login') },
  { name: 'home-logged-in', open: asUser('/') },
  { name: 'secret', open: asUser('/secret') },
  { name: 'logout', open: asUser('/logout') },
  {
    name: 'register-password-hint',
    async open({ page }) {
      await page.goto('/register');
      await page.fill('#email', 'grace.h@example.com');
      await page.fill('#password', 'grace.h');
      // The hint script is an asset the CSP allows: it runs, and marks what the browser can check.
      await expect.poll(() => page.textContent('#password-strength')).toMatch(/^Estimated strength: [a-z ]+\.$/);
      expect(await page.getAttribute('[data-rule=length]', 'class')).toBe('unmet');
      expect(await page.getAttribute('[data-rule=email]', 'class')).toBe('unmet');
      await page.fill('#password', PASSWORD);
      await expect.poll(() => page.getAttribute('[data-rule=length]', 'class')).toBe('met');
      expect(await page.getAttribute('[data-rule=email]', 'class')).toBe('met');
    },
  },
  {
    name: 'register-invalid',
    async open({ page }) {
      await page.goto('/register');
      await fillAndSubmit(page, { email: 'not-an-email', password: 'short' });
      expect(await title(page)).toMatch(/^Error: /);
      expect(await page.textContent('.error-summary')).toContain(PasswordErrors.tooShort);
      expect(await focused(page)).toBe('email');
      await page.click('.error-summary a[href="#password"]');
      expect(await focused(page)).toBe('password');
    },
  },
  {
    name: 'register-duplicate',
    async open({ page, stack }) {
      const email = newEmail('duplicate');
      await register(await stack.browser.newPage({ baseURL: stack.url }), email);
      await page.goto('/register');
      await fillAndSubmit(page, { email, password: PASSWORD });
      expect(await title(page)).toMatch(/^Error: /);
      expect(await page.textContent('#email-error')).toContain('An account with this email address already exists.');
      expect(await focused(page)).toBe('email');
    },
  },
  {
    name: 'login-wrong-password',
    async open({ page }) {
      const email = newEmail('wrong');
      await register(page, email);
      await page.context().clearCookies();
      await submitLogin(page, email, 'not the password');
      expect(await title(page)).toMatch(/^Error: /);
      expect(await page.textContent('.error-summary')).toContain('Invalid email or password.');
      expect(await focused(page)).toBe('error-summary');
    },
  },
  {
    name: 'login-locked',
    async open({ page }) {
      // The Back End's defaults: 5 failures in a row lock the account.
      const email = newEmail('locked');
      await register(page, email);
      await page.context().clearCookies();
      for (let i = 0; i < 5; i++) await submitLogin(page, email, `wrong guess ${i}`);
      await submitLogin(page, email, PASSWORD);
      expect(await main(page)).toContain('Invalid email or password. After several failed attempts in a row, an account is locked');
      expect(new URL(page.url()).pathname).toBe('/login');
      expect(await keptFromSecret(page)).toBe(true);
    },
  },
  {
    name: 'login-from-secret',
    async open({ page }) {
      await page.goto('/secret');
      expect(page.url()).toBe(`${stack.url}/login?next=%2Fsecret`);
      expect(await main(page)).toContain('Log in to see that page.');
    },
  },
  {
    name: 'secret-after-login',
    async open({ page, stack }) {
      const email = newEmail('next');
      await register(await stack.browser.newPage({ baseURL: stack.url }), email);
      await page.goto('/secret');
      await submitLogin(page, email);
      expect(new URL(page.url()).pathname).toBe('/secret');
      expect(await main(page)).toContain(email);
    },
  },
  {
    name: 'home-logged-out',
    async open({ page }) {
      await register(page, newEmail('logout'));
      await page.click('nav a[href="/logout"]');
      await fillAndSubmit(page, {});
      expect(await main(page)).toContain('You have logged out.');
      expect(await keptFromSecret(page)).toBe(true);
    },
  },
  {
    name: 'home-logged-out-everywhere',
    async open({ page, stack }) {
      const email = newEmail('everywhere');
      await register(page, email);
      const laptop = await (await stack.browser.newContext({ baseURL: stack.url })).newPage();
      await submitLogin(laptop, email);
      await page.goto('/secret');
      await fillAndSubmit(page, {}, 'form[action="/logout-everywhere"] button');
      expect(await main(page)).toContain('You have logged out on every device.');
      expect(await keptFromSecret(laptop)).toBe(true);
      await laptop.context().close();
    },
  },
  { name: 'account', open: asUser('/account') },
  {
    name: 'account-wrong-password',
    async open({ page }) {
      await register(page, newEmail('account'));
      await page.goto('/account');
      await fillAndSubmit(page, { 'current-password': 'not the password', 'new-password': 'a brand new passphrase' }, 'form[action="/account/password"] button');
      expect(await title(page)).toMatch(/^Error: /);
      expect(await page.textContent('.error-summary')).toContain('That is not your current password.');
      expect(await focused(page)).toBe('current-password');
    },
  },
  // Second factors (issue 20): enrolment, recovery codes, the Account page with TOTP on, the login's code step.
  {
    name: 'totp-enrol',
    async open({ page }) {
      await register(page, newEmail('totp'));
      await page.goto('/account');
      await fillAndSubmit(page, {}, 'form[action="/account/totp/start"] button');
      expect(await page.isVisible('.qr-code svg')).toBe(true);
      expect(await page.textContent('#totp-secret')).toMatch(/^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/);
    },
  },
  {
    name: 'totp-enrol-wrong-code',
    async open({ page }) {
      await register(page, newEmail('totp'));
      await page.goto('/account');
      await fillAndSubmit(page, {}, 'form[action="/account/totp/start"] button');
      await fillAndSubmit(page, { 'enrol-password': PASSWORD, 'totp-code': '12' }, 'form[action="/account/totp/confirm"] button');
      expect(await title(page)).toMatch(/^Error: /);
      expect(await focused(page)).toBe('totp-code');
    },
  },
  {
    name: 'recovery-codes',
    async open({ page }) {
      await register(page, newEmail('totp'));
      await enrolTotpIn(page);
      expect(await page.locator('.recovery-codes code').count()).toBe(10);
    },
  },
  {
    name: 'account-totp-on',
    async open({ page }) {
      await register(page, newEmail('totp'));
      await enrolTotpIn(page);
      await page.goto('/account');
      expect(await main(page)).toContain('Recovery codes left: 10 of 10.');
    },
  },
  {
    name: 'login-second-factor',
    async open({ page }) {
      await atCodePage(page);
      expect(await keptFromSecret(page)).toBe(true);
    },
  },
  {
    name: 'login-second-factor-wrong',
    async open({ page }) {
      await atCodePage(page);
      expect(await fillAndSubmit(page, { code: '000000' })).toBe(401);
      expect(await title(page)).toMatch(/^Error: /);
      expect(await focused(page)).toBe('code');
    },
  },
  {
    name: 'login-second-factor-without-password',
    async open({ page }) {
      expect((await page.goto('/login/second-factor'))?.status()).toBe(401);
      expect(await main(page)).toContain('Log in again with your password.');
    },
  },
  { name: 'forgot-password', open: visit('/forgot-password') },
  {
    name: 'forgot-password-sent',
    async open({ page }) {
      await page.goto('/login');
      await page.click('a[href="/forgot-password"]');
      await fillAndSubmit(page, { email: newEmail('forgot') });
      expect(await main(page)).toContain('If an account exists for that address');
    },
  },
  {
    name: 'reset-password',
    async open({ page, stack }) {
      const email = await linkRequested(page, 'reset');
      await page.goto(await resetPath(stack, email));
      expect(await main(page)).toContain(email);
      expect(await page.getAttribute('#password', 'autocomplete')).toBe('new-password');
    },
  },
  {
    name: 'home-after-reset',
    async open({ page, stack }) {
      const email = await linkRequested(page, 'reset-done');
      await page.goto(await resetPath(stack, email));
      await fillAndSubmit(page, { password: 'a brand new passphrase' });
      expect(await main(page)).toContain('Your password was changed and you are logged in.');
    },
  },
  {
    name: 'reset-link-used',
    async open({ page, stack }) {
      const email = await linkRequested(page, 'reset-used');
      const link = await resetPath(stack, email);
      await page.goto(link);
      await fillAndSubmit(page, { password: 'a brand new passphrase' });
      expect((await page.goto(link))?.status()).toBe(410);
      expect(await main(page)).toContain('This link was used already');
    },
  },
  ...VERIFICATION_PAGES,
  {
    name: 'csrf-failure',
    async open({ page }) {
      await page.goto('/login');
      await page.$eval('input[name=_csrf]', (input) => input.setAttribute('value', 'forged'));
      expect(await fillAndSubmit(page, { email: newEmail('csrf'), password: PASSWORD })).toBe(403);
      expect(await main(page)).toContain('This form has expired or was not sent by this site.');
    },
  },
  {
    name: 'not-found',
    async open({ page }) {
      expect((await page.goto('/nowhere'))?.status()).toBe(404);
      expect(await main(page)).toContain('There is no page at this address.');
    },
  },
  {
    name: 'too-many-attempts',
    async open({ page, stack }) {
      // 2 a minute: the third attempt is refused at the latest (earlier if the Back End's
      // count for this address, shared by all Front Ends, is already over).
      const strict = await stack.addFrontEnd({ rateLimitPerMinute: 2 });
      const statuses: Array<number | undefined> = [];
      while (statuses.at(-1) !== 429 && statuses.length < 3) {
        await page.goto(`${strict.url}/login`);
        statuses.push(await submitLogin(page, newEmail('limited'), 'not the password'));
      }
      expect(statuses.at(-1)).toBe(429);
      expect(await main(page)).toContain('Too many attempts from your network. Wait a minute, then try again.');
    },
  },
  {
    name: 'status-without-token',
    async open({ page }) {
      expect((await page.goto('/status'))?.status()).toBe(401);
      expect(await page.isVisible('input[name=token]')).toBe(true);
      expect(await page.isVisible('#status-tiers')).toBe(false);
    },
  },
  {
    name: 'status',
    async open({ page }) {
      await page.goto('/status');
      expect(await fillAndSubmit(page, { token: ADMIN_TOKEN })).toBe(200);
      expect(new URL(page.url()).pathname).toBe('/status');
      expect(await page.textContent('#status-tiers')).toContain('Back End');
      expect(await page.textContent('#status-events')).toContain('register');
    },
  },
  {
    name: 'service-busy',
    async open({ page, stack }) {
      await page.goto('/login');
      await stack.stopBackEnd();
      expect(await fillAndSubmit(page, { email: newEmail('busy'), password: PASSWORD })).toBe(503);
      expect(await main(page)).toContain('The service is busy');
    },
  },
];

for (const { name, open } of PAGES) {
  it(`${name}: behaves, and passes axe in light and dark mode at 320 px and desktop`, async () => {
    const context = await stack.browser.newContext({ baseURL: stack.url });
    try {
      const page = await context.newPage();
      const refused = watchCsp(page);
      await open({ stack, context, page });
      await checkPage(page, name);
      expect(refused, 'the CSP refused nothing').toEqual([]);
    } finally {
      await context.close();
    }
  });
}
