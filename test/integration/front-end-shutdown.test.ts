import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';

// Longer than the 10 s that stop() alone may take, to show the grace timer covers the drain.
const DRAIN_MS = 11_000;

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ SHUTDOWN_DRAIN_MS: String(DRAIN_MS) });
});

afterAll(async () => {
  await stack?.stop();
});

const status = async (url: string) => (await fetch(url, { signal: AbortSignal.timeout(5000) })).status;

it('on SIGTERM fails /readyz at once, keeps serving through the drain, then exits 0', async () => {
  const signalledAt = Date.now();
  const exited = stack.frontEnd.stop('SIGTERM');
  await stack.frontEnd.waitFor(/Shutting down/, 5000);

  expect(await status(`${stack.url}/readyz`)).toBe(503);
  expect(await status(`${stack.url}/healthz`)).toBe(200);
  expect(await status(`${stack.url}/`)).toBe(200);

  // Late in the drain (past the old 10 s grace), a new connection is still served.
  await new Promise((r) => setTimeout(r, Math.max(0, signalledAt + DRAIN_MS - 1500 - Date.now())));
  expect(await status(`${stack.url}/`)).toBe(200);

  expect(await exited).toBe(0);
  expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(DRAIN_MS);
  expect(stack.frontEnd.output()).not.toMatch(/Shutdown took too long/);
});
