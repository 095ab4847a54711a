'use strict';
// CommonJS on purpose, like front-end.cjs that uses it: it must run before Node's ES module
// loader, whose first file read starts libuv's threadpool and so fixes its size for good.
const { defaultHashConcurrency } = require('./cpu-quota.cjs');

/** At most this many hashing slots; the config module's HASH_CONCURRENCY refuses more. */
const MAX_SLOTS = 64;

/**
 * libuv threads for the Front End: one per hashing slot (HASH_CONCURRENCY, by default one per
 * core the container may use, see cpu-quota.cjs), plus two so file and DNS work never waits
 * behind argon2. A bad HASH_CONCURRENCY is named by the config check a moment later; the default
 * serves until then.
 */
function threadpoolSize(env) {
  const slots = Number(env.HASH_CONCURRENCY);
  const valid = Number.isInteger(slots) && slots > 0 && slots <= MAX_SLOTS;
  return (valid ? slots : defaultHashConcurrency()) + 2;
}

/** Sets UV_THREADPOOL_SIZE unless the launcher already did. */
function sizeThreadpool(env = process.env) {
  if (!env.UV_THREADPOOL_SIZE || !env.UV_THREADPOOL_SIZE.trim()) env.UV_THREADPOOL_SIZE = String(threadpoolSize(env));
}

module.exports = { threadpoolSize, sizeThreadpool };
