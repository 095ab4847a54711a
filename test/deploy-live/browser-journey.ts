import { expect } from 'vitest';
import type { Browser } from 'playwright-core';

export interface User {
  email: string;
  password: string;
}

/** In a fresh browser context: register, see /secret, log out, be kept out, log in, see /secret. */
export async function browserJourney(browser: Browser, baseURL: string, user: User): Promise<void> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  try {
    await page.goto('/register');
    await page.fill('input[name=email]', user.email);
    await page.fill('input[name=password]', user.password);
    await page.click('button[type=submit]');
    await page.waitForURL(`${baseURL}/`);
    expect(await page.textContent('main')).toContain(`Logged in as ${user.email}`);

    await page.goto('/secret');
    expect(await page.textContent('h1')).toBe('The secret page');

    await page.goto('/logout');
    await page.click('button[type=submit]');
    await page.waitForURL(`${baseURL}/?logged-out=here`);
    await page.goto('/secret');
    expect(new URL(page.url()).pathname).toBe('/login');
  } finally {
    await context.close();
  }
  await browserLogin(browser, baseURL, user);
}

/** In a fresh browser context: /secret sends to the login form, which leads back to /secret. */
export async function browserLogin(browser: Browser, baseURL: string, user: User): Promise<void> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  try {
    await page.goto('/secret');
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('input[name=email]', user.email);
    await page.fill('input[name=password]', user.password);
    await page.click('button[type=submit]');
    await page.waitForURL(`${baseURL}/secret`);
    expect(await page.textContent('h1')).toBe('The secret page');
  } finally {
    await context.close();
  }
}
