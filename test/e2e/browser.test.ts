import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fillAndSubmit, focused, startBrowserStack, type BrowserStack } from '../support/browser-stack.js';

// One user's whole journey in a real browser; every page and error path on its own is in pages.test.ts.
let stack: BrowserStack;

beforeAll(async () => {
  stack = await startBrowserStack();
});

afterAll(() => stack?.stop());

it('registers, lands logged in, logs out, is kept from /secret, logs in and comes back to /secret', async () => {
  const page = await stack.browser.newPage({ baseURL: stack.url });
  const email = `browser-${randomUUID()}@example.com`;
  const password = 'correct horse battery staple';

  await page.goto('/register');
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${stack.url}/`);
  expect(await page.textContent('main')).toContain(`Logged in as ${email}`);

  await page.click('a[href="/logout"]');
  await page.click('button[type=submit]');
  await page.waitForURL(`${stack.url}/?logged-out=here`);
  expect(await page.textContent('main')).toContain('You have logged out.');

  await page.goto('/secret');
  expect(new URL(page.url()).pathname).toBe('/login');
  expect(await page.textContent('main')).toContain('Log in to see that page.');

  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', 'not the password');
  await page.click('button[type=submit]');
  expect(await page.textContent('main')).toContain('Invalid email or password.');

  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${stack.url}/secret`);
  expect(await page.textContent('h1')).toBe('The secret page');
  await page.close();
});

it('works without JavaScript: the rules are shown, a failed submit focuses the field, registration lands logged in', async () => {
  const context = await stack.browser.newContext({ baseURL: stack.url, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/register');
  expect(await page.textContent('#password-rules')).toContain('Use 8 to 128 characters');
  expect(await page.isVisible('#password-strength')).toBe(false);
  await fillAndSubmit(page, { email: `nojs-${randomUUID()}@example.com`, password: 'short' });
  expect(await page.title()).toMatch(/^Error: /);
  expect(await focused(page)).toBe('password');
  await fillAndSubmit(page, { password: 'correct horse battery staple' });
  expect(await page.textContent('main')).toContain('Logged in as nojs-');
  await context.close();
});
