/**
 * A concurrency limit with a bounded queue for argon2 runs. libuv's own queue is unbounded, so
 * without this a flood of logins makes every request wait behind it; with it, the excess is
 * refused at once (HashingBusyError, the 503 page). p-limit and p-queue cannot cap their queue,
 * and this is all we need of them.
 */

import { availableParallelism } from 'node:os';

/** argon2 is CPU-bound: one run per core keeps every core busy and no run waiting on another. */
export const DEFAULT_HASH_CONCURRENCY = availableParallelism();
/**
 * Waiting runs: a few hashes' time each, far inside the RPC timeout (about 1 s at OWASP cost),
 * and at least 16 so that a one-core host still serves a burst of ordinary logins.
 */
export const DEFAULT_HASH_QUEUE_MAX = Math.max(16, 8 * DEFAULT_HASH_CONCURRENCY);
/** At most this many hashing slots (HASH_CONCURRENCY); libuv's pool tops out not far above. */
export const MAX_HASH_CONCURRENCY = 64;

/** Every hashing slot and queue place is taken: shown as the 503 page, with Retry-After. */
export class HashingBusyError extends Error {
  readonly statusCode = 503;
  constructor() {
    super('Too many passwords are being hashed; request shed');
    this.name = 'HashingBusyError';
  }
}

export class HashLimiter {
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(
    readonly concurrency: number,
    readonly maxQueue: number,
  ) {}

  /** Runs in progress. */
  get running(): number {
    return this.#active;
  }

  /** Runs waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Runs `task` when a slot is free; throws HashingBusyError at once when the queue is full. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.#acquire();
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  async #acquire(): Promise<void> {
    if (this.#active < this.concurrency) {
      this.#active++;
      return;
    }
    if (this.#waiting.length >= this.maxQueue) throw new HashingBusyError();
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  /** Hands the slot straight to the next waiter, so none can be overtaken. */
  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#active--;
  }
}
