import { describe, expect, it, vi } from 'vitest';
import { createReadiness } from '../src/readiness.js';

function setup(options: { consuming?: boolean; ping?: () => Promise<void> } = {}) {
  let now = 0;
  const checks = { isConsuming: vi.fn(() => options.consuming ?? true), pingPrimary: vi.fn(options.ping ?? (async () => undefined)) };
  const readiness = createReadiness(checks, { timeoutMs: 50, cacheMs: 1000, now: () => now });
  return { readiness, checks, advance: (ms: number) => (now += ms) };
}

describe('Back End readiness', () => {
  it('is ready while it consumes and the primary answers', async () => {
    const { readiness, checks } = setup();
    expect(await readiness.problem()).toBeUndefined();
    expect(checks.pingPrimary).toHaveBeenCalledOnce();
  });

  it('is not ready while it does not consume, and then does not touch the database', async () => {
    const { readiness, checks } = setup({ consuming: false });
    expect(await readiness.problem()).toBe('not consuming the request queue');
    expect(checks.pingPrimary).not.toHaveBeenCalled();
  });

  it('is not ready once shutting down, at once', async () => {
    const { readiness } = setup();
    readiness.markStopping();
    expect(await readiness.problem()).toBe('shutting down');
  });

  it('names an unreachable primary', async () => {
    const { readiness } = setup({ ping: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) });
    expect(await readiness.problem()).toBe('the primary database is unreachable');
  });

  it('gives up on a primary that does not answer within the timeout', async () => {
    // The answer naming the timeout is the proof it fired; the ping never settles, so without the
    // timeout this would hang until the test's own timeout fails it.
    const { readiness } = setup({ ping: () => new Promise(() => undefined) });
    expect(await readiness.problem()).toBe('the primary database did not answer within 50 ms');
  });

  it('asks the database at most once per cache period, however often it is probed', async () => {
    const { readiness, checks, advance } = setup();
    await Promise.all([readiness.problem(), readiness.problem(), readiness.problem()]);
    advance(999);
    await readiness.problem();
    expect(checks.pingPrimary).toHaveBeenCalledTimes(1);
    advance(1);
    await readiness.problem();
    expect(checks.pingPrimary).toHaveBeenCalledTimes(2);
  });

  it('never has two pings in flight, even when one hangs past its timeout', async () => {
    const { readiness, checks, advance } = setup({ ping: () => new Promise(() => undefined) });
    await readiness.problem();
    advance(5000);
    expect(await readiness.problem()).toMatch(/did not answer/);
    expect(checks.pingPrimary).toHaveBeenCalledOnce();
  });

  it('sees a recovered primary once the cache expires', async () => {
    let up = false;
    const { readiness, advance } = setup({ ping: async () => {
        if (!up) throw new Error('down');
      },
    });
    expect(await readiness.problem()).toBe('the primary database is unreachable');
    up = true;
    advance(1000);
    expect(await readiness.problem()).toBeUndefined();
  });
});
