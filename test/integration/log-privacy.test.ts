import { afterAll, beforeAll, expect, it } from 'vitest';
import { FormClient } from '../support/form-client.js';
import { startStack, type Stack } from '../support/stack.js';

// Issue 7 §4: at the default `info` level, neither tier logs who is logging in.
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ LOG_LEVEL: 'info' }, { LOG_LEVEL: 'info' });
});

afterAll(async () => {
  await stack?.stop();
});

it('logs no email at info for a registration and logins', async () => {
  const email = `quiet-${Date.now()}@example.com`;
  const password = 'Tr0ub4dor & horse';
  const browser = new FormClient(stack.url);
  expect((await browser.submit('/register', { email, password })).status).toBe(303);
  expect((await new FormClient(stack.url).submit('/login', { email, password: 'wrong password here' })).status).toBe(401);
  expect((await new FormClient(stack.url).submit('/login', { email, password })).status).toBe(303);

  const logs = stack.logs();
  expect(logs).toMatch(/Starting consumption/); // the Back End's log is in there
  expect(logs).not.toContain(email);
});
