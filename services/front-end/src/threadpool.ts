import { DEFAULT_HASH_CONCURRENCY, MAX_HASH_CONCURRENCY } from './hash-limiter.js';

/**
 * Sizes libuv's threadpool for hashing. libuv reads UV_THREADPOOL_SIZE once, when the pool
 * first starts (the first fs, DNS, crypto or argon2 job), so main.ts imports this module first.
 * One thread per hashing slot (HASH_CONCURRENCY, by default one per core), plus two so file
 * and DNS work never waits behind argon2. A UV_THREADPOOL_SIZE set by the launcher is kept.
 */
export function threadpoolSize(env: Record<string, string | undefined>): number {
  const concurrency = Number(env.HASH_CONCURRENCY);
  // A bad value is named by the config check a moment later; the default will do until then.
  const valid = Number.isInteger(concurrency) && concurrency > 0 && concurrency <= MAX_HASH_CONCURRENCY;
  return (valid ? concurrency : DEFAULT_HASH_CONCURRENCY) + 2;
}

if (!process.env.UV_THREADPOOL_SIZE?.trim()) process.env.UV_THREADPOOL_SIZE = String(threadpoolSize(process.env));
