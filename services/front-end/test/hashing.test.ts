import { afterEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import * as argon2 from '@node-rs/argon2';
import type { ConfigError } from '@gatehouse/runtime';
import { loadFrontEndConfig } from '../src/config.js';
import { HashingBusyError, HashLimiter } from '../src/hash-limiter.js';
import { Hasher } from '../src/hasher.js';
import { hashPassword, OWASP_ARGON2 } from '../src/password.js';
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

describe('HashLimiter', () => {
  it('runs `concurrency` tasks, queues `maxQueue` more, and refuses the rest at once', async () => {
    const limiter = new HashLimiter(1, 1);
    const gate = deferred();
    const running = limiter.run(() => gate.promise.then(() => 'first'));
    const queued = limiter.run(async () => 'second');
    await expect(limiter.run(async () => 'third')).rejects.toBeInstanceOf(HashingBusyError);
    gate.resolve();
    await expect(Promise.all([running, queued])).resolves.toEqual(['first', 'second']);
    await expect(limiter.run(async () => 'later')).resolves.toBe('later');
  });

  it('frees its slot when a task fails', async () => {
    const limiter = new HashLimiter(1, 0);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(async () => 'next')).resolves.toBe('next');
  });
});

describe('Hasher.verify', () => {
  const hasher = new Hasher(OWASP_ARGON2, { concurrency: 2, maxQueue: 4, caps: CAPS });
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
    expect(config.hashing).toEqual({ concurrency: 3, maxQueue: 0, caps: { memoryKib: 65536, timeCost: 3, parallelism: 2 } });
  });

  it('refuses caps above OWASP ×4, and a cost above its cap', () => {
    expect(problems({ ARGON2_MAX_MEMORY_KIB: '4194304' })).toEqual(['ARGON2_MAX_MEMORY_KIB: must be at most 77824']);
    expect(problems({ ARGON2_TIME_COST: '3', ARGON2_MAX_TIME_COST: '2' })).toEqual(['ARGON2_TIME_COST: is above ARGON2_MAX_TIME_COST (2): new hashes would never verify']);
    expect(problems({ HASH_CONCURRENCY: '0' })).toEqual(['HASH_CONCURRENCY: must be at least 1']);
  });
});
