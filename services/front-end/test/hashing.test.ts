import { afterEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import * as argon2 from '@node-rs/argon2';
import type { ConfigError } from '@gatehouse/runtime';
import { loadFrontEndConfig } from '../src/config.js';
import { HashingBusyError, HashLimiter, type HashLimits } from '../src/passwords/hash-limiter.js';
import { Hasher } from '../src/passwords/hasher.js';
import { hashPassword, OWASP_ARGON2 } from '../src/passwords/password.js';
import { createRequire } from 'node:module';

// A spy around the real verify, so a test can tell whether argon2 ran at all.
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const real = await importOriginal<typeof import('@node-rs/argon2')>();
  return { ...real, verify: vi.fn(real.verify) };
});

const CAPS = { memoryKib: 77824, timeCost: 8, parallelism: 4 };
const log = () => {
  const warnings: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
  return { logger, warnings };
};
const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

afterEach(() => vi.mocked(argon2.verify).mockClear());

const limits = (over: Partial<HashLimits> = {}): HashLimits => ({ concurrency: 1, maxQueue: 100, waitBudgetMs: 250, maxWaitMs: 400, ...over });

describe('HashLimiter', () => {
  afterEach(() => vi.useRealTimers());

  it('admits runs while their expected wait fits the budget, and refuses the next at once with the wait as Retry-After', async () => {
    const limiter = new HashLimiter(limits({ waitBudgetMs: 250 }), 100); // one slot, 100 ms a run
    const gate = deferred();
    const running = limiter.run(() => gate.promise.then(() => 'first'));
    const queued = [limiter.run(async () => 'second'), limiter.run(async () => 'third')]; // 100 and 200 ms
    expect(limiter.expectedWaitMs()).toBe(300);
    const refused = await limiter.run(async () => 'fourth').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(HashingBusyError);
    expect((refused as HashingBusyError).retryAfterSeconds).toBe(1);
    gate.resolve();
    await expect(Promise.all([running, ...queued])).resolves.toEqual(['first', 'second', 'third']);
    await expect(limiter.run(async () => 'later')).resolves.toBe('later');
  });

  it('queues by time, not by count: cheap runs on many slots wait in hundreds', async () => {
    const limiter = new HashLimiter(limits({ concurrency: 4, maxQueue: 1000, waitBudgetMs: 2500 }), 20);
    const gate = deferred();
    const runs = Array.from({ length: 400 }, () => limiter.run(() => gate.promise).then(() => 'ok', (err: unknown) => err));
    await Promise.resolve();
    // 2,500 ms ÷ (20 ms ÷ 4 slots): about 500 fit, so all 400 are admitted.
    expect(limiter.running + limiter.waiting).toBe(400);
    gate.resolve();
    expect(new Set(await Promise.all(runs))).toEqual(new Set(['ok']));
  });

  it('keeps HASH_QUEUE_MAX as a memory bound whatever the expected wait', async () => {
    const limiter = new HashLimiter(limits({ maxQueue: 2, waitBudgetMs: 100_000 }), 1);
    const gate = deferred();
    const held = [0, 1, 2].map(() => limiter.run(() => gate.promise));
    await expect(limiter.run(async () => 'over')).rejects.toBeInstanceOf(HashingBusyError);
    gate.resolve();
    await Promise.all(held);
  });

  it('learns a run\'s time from the runs it times', async () => {
    vi.useFakeTimers({ toFake: ['performance', 'setTimeout'] });
    const limiter = new HashLimiter(limits(), 10);
    for (let i = 0; i < 60; i++) {
      const run = limiter.run(() => new Promise<void>((resolve) => setTimeout(resolve, 200)));
      await vi.advanceTimersByTimeAsync(200);
      await run;
    }
    expect(limiter.runEstimateMs).toBeGreaterThan(195);
    expect(limiter.runEstimateMs).toBeLessThanOrEqual(200);
  });

  it('refuses a run still waiting at maxWaitMs, then, without running it, and serves the next in turn', async () => {
    vi.useFakeTimers({ toFake: ['performance', 'setTimeout'] });
    const limiter = new HashLimiter(limits({ waitBudgetMs: 1000, maxWaitMs: 400 }), 1); // the estimate is far too low
    const first = limiter.run(() => new Promise<string>((resolve) => setTimeout(() => resolve('slow'), 1000)));
    const task = vi.fn(async () => 'late');
    let late: unknown;
    void limiter.run(task).catch((err: unknown) => (late = err));
    await vi.advanceTimersByTimeAsync(399);
    expect(late).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(late).toBeInstanceOf(HashingBusyError); // at 400 ms, while the first still runs
    expect(limiter.waiting).toBe(0);
    await vi.advanceTimersByTimeAsync(300);
    const next = limiter.run(async () => 'next'); // waits 300 ms, within its 400
    await vi.advanceTimersByTimeAsync(300);
    await expect(first).resolves.toBe('slow');
    await expect(next).resolves.toBe('next');
    expect(task).not.toHaveBeenCalled();
    expect(limiter.running + limiter.waiting).toBe(0);
  });

  it('refuses a run whose request deadline the expected wait passes, and a waiting run at that deadline', async () => {
    vi.useFakeTimers({ toFake: ['performance', 'setTimeout'] });
    const limiter = new HashLimiter(limits({ waitBudgetMs: 5000, maxWaitMs: 5000 }), 100);
    const gate = deferred();
    const running = limiter.run(() => gate.promise);
    // 100 ms expected, 50 ms left: refused at once.
    await expect(limiter.run(async () => 'hopeless', { deadlineAt: performance.now() + 50 })).rejects.toBeInstanceOf(HashingBusyError);
    let waited: unknown;
    void limiter.run(async () => 'admitted', { deadlineAt: performance.now() + 300 }).catch((err: unknown) => (waited = err));
    await vi.advanceTimersByTimeAsync(300);
    expect(waited).toBeInstanceOf(HashingBusyError);
    gate.resolve();
    await running;
  });

  it('counts a reserved place in the expected wait, runs with it unrefused, and frees it once', async () => {
    const limiter = new HashLimiter(limits({ waitBudgetMs: 150 }), 100);
    const gate = deferred();
    const running = limiter.run(() => gate.promise);
    const ticket = limiter.reserve(); // expected 100 ms
    expect(limiter.waiting).toBe(1);
    expect(() => limiter.reserve()).toThrow(HashingBusyError); // would wait 200 ms
    const reserved = limiter.run(async () => 'reserved', { ticket });
    ticket.release(); // already used: a no-op
    expect(limiter.waiting).toBe(1);
    gate.resolve();
    await expect(reserved).resolves.toBe('reserved');
    const unused = limiter.reserve();
    unused.release();
    unused.release();
    expect(limiter.waiting).toBe(0);
    await running;
  });

  it('frees its slot when a task fails', async () => {
    const limiter = new HashLimiter(limits({ maxQueue: 0 }));
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(async () => 'next')).resolves.toBe('next');
  });
});

describe('Hasher.verify', () => {
  const hasher = new Hasher(OWASP_ARGON2, { ...limits({ concurrency: 2, maxQueue: 4 }), caps: CAPS });
  const over = (params: string) => `$argon2id$v=19$${params}$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNo`;

  it('verifies normal hashes with argon2', async () => {
    const hash = await hashPassword('correct horse battery');
    await expect(hasher.verify(hash, 'correct horse battery', log().logger)).resolves.toBe(true);
    await expect(hasher.verify(hash, 'wrong horse battery', log().logger)).resolves.toBe(false);
    expect(argon2.verify).toHaveBeenCalledTimes(2);
  });

  it('treats a hash above the caps as no match, with a warning, without running argon2', async () => {
    for (const params of ['m=4194304,t=2,p=1', 'm=19456,t=3000,p=1', 'm=19456,t=2,p=16']) {
      const { logger, warnings } = log();
      await expect(hasher.verify(over(params), 'any password', logger)).resolves.toBe(false);
      expect(warnings.join('')).toContain('stored hash refused');
    }
    expect(argon2.verify).not.toHaveBeenCalled();
  });

  it('never hands argon2 a hash it could not parse (parameters out of order)', async () => {
    await expect(hasher.verify(over('t=3000,m=19456,p=1'), 'any password', log().logger)).resolves.toBe(false);
    expect(argon2.verify).not.toHaveBeenCalled();
  });
});

describe('threadpoolSize (bin/threadpool.cjs)', () => {
  const { threadpoolSize, sizeThreadpool } = createRequire(import.meta.url)('../bin/threadpool.cjs') as {
    threadpoolSize: (env: Record<string, string>) => number;
    sizeThreadpool: (env: Record<string, string>) => void;
  };
  it('gives each hashing slot a thread, plus two for file and DNS work', () => {
    expect(threadpoolSize({ HASH_CONCURRENCY: '3' })).toBe(5);
    expect(Number(threadpoolSize({ HASH_CONCURRENCY: 'lots' }))).toBeGreaterThanOrEqual(3);
  });
  it('keeps a size the launcher set', () => {
    const env: Record<string, string> = { HASH_CONCURRENCY: '3', UV_THREADPOOL_SIZE: '9' };
    sizeThreadpool(env);
    expect(env.UV_THREADPOOL_SIZE).toBe('9');
    const unset: Record<string, string> = { HASH_CONCURRENCY: '3' };
    sizeThreadpool(unset);
    expect(unset.UV_THREADPOOL_SIZE).toBe('5');
  });
});

describe('the hashing settings', () => {
  const env = { AMQP_URL: 'amqp://gatehouse:s3cret-broker-pass@rabbit:5672', SESSION_SECRET: 's'.repeat(32) };
  const problems = (extra: Record<string, string>) => {
    try {
      loadFrontEndConfig({ ...env, ...extra });
      return [];
    } catch (err) {
      return (err as ConfigError).problems;
    }
  };

  it('reads the queue and the caps', () => {
    const config = loadFrontEndConfig({ ...env, HASH_CONCURRENCY: '3', HASH_QUEUE_MAX: '0', ARGON2_MAX_MEMORY_KIB: '65536', ARGON2_MAX_TIME_COST: '3', ARGON2_MAX_PARALLELISM: '2' });
    expect(config.hashing).toEqual({ concurrency: 3, maxQueue: 0, waitBudgetMs: 3500, maxWaitMs: 4500, caps: { memoryKib: 65536, timeCost: 3, parallelism: 2 } });
  });

  it('admits hashes expected to wait up to 70% of the RPC timeout by default, or HASH_WAIT_BUDGET_MS, always inside the timeout', () => {
    expect(loadFrontEndConfig({ ...env, RPC_TIMEOUT_MS: '10000' }).hashing).toMatchObject({ waitBudgetMs: 7000, maxWaitMs: 9500 });
    expect(loadFrontEndConfig({ ...env, HASH_WAIT_BUDGET_MS: '4000' }).hashing).toMatchObject({ waitBudgetMs: 4000, maxWaitMs: 4500 });
    expect(problems({ HASH_WAIT_BUDGET_MS: '5000' })).toEqual([
      'HASH_WAIT_BUDGET_MS: must be below RPC_TIMEOUT_MS (5000): a request waiting that long is answered after its caller gave up',
    ]);
    expect(problems({ HASH_WAIT_BUDGET_MS: 'soon' })).toEqual(['HASH_WAIT_BUDGET_MS: must be a whole number between 1 and 600000']);
  });

  it('refuses caps above OWASP ×4, and a cost above its cap', () => {
    expect(problems({ ARGON2_MAX_MEMORY_KIB: '4194304' })).toEqual(['ARGON2_MAX_MEMORY_KIB: must be at most 77824']);
    expect(problems({ ARGON2_TIME_COST: '3', ARGON2_MAX_TIME_COST: '2' })).toEqual(['ARGON2_TIME_COST: is above ARGON2_MAX_TIME_COST (2): new hashes would never verify']);
    expect(problems({ HASH_CONCURRENCY: '0' })).toEqual(['HASH_CONCURRENCY: must be at least 1']);
  });
});
