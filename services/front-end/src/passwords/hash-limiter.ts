/**
 * Admission and queueing for argon2 runs, shedding by time rather than by count. libuv's own
 * queue is unbounded, so without this a flood of logins makes every request wait behind it.
 * A count alone sheds at the wrong point: 16 waiting hashes are 100 ms of work on a 2-core
 * machine, far inside any deadline, so real bursts were refused while the CPU idled. Here a run
 * is refused only when its expected wait (the runs ahead × a hash's measured time ÷ the slots)
 * would pass a budget well inside the RPC timeout; the queue's length is only a memory bound.
 * p-limit and p-queue can neither cap their queue nor shed by expected wait.
 */

import { defaultHashConcurrency } from '../../bin/cpu-quota.cjs';

/**
 * argon2 is CPU-bound: one run per core keeps every core busy and no run waiting on another. The
 * cores are the container's CPU limit when it has one (cgroup quota), not the node's.
 */
export const DEFAULT_HASH_CONCURRENCY = defaultHashConcurrency();
/**
 * Runs that may wait, whatever their expected wait: a memory bound only (each holds a request
 * and a password, no argon2 memory), far above what the time budget admits at any sane cost.
 */
export const DEFAULT_HASH_QUEUE_MAX = 1024;
/** At most this many hashing slots (HASH_CONCURRENCY); libuv's pool tops out not far above. */
export const MAX_HASH_CONCURRENCY = 64;
/** Before any run was measured: OWASP's argon2id on a slow core, replaced by the first real run. */
export const INITIAL_HASH_ESTIMATE_MS = 50;
/**
 * Weight of the newest run in the moving average: about the last twenty runs count. At 0.2 the
 * estimate swung by a quarter from run to run on a busy machine and shed bursts it could serve.
 */
const SMOOTHING = 0.1;

/** The run was refused or waited too long: shown as the 503 page, with Retry-After. */
export class HashingBusyError extends Error {
  readonly statusCode = 503;
  constructor(
    /** When a retry is expected to find room: the wait the queue ahead would have cost. */
    readonly retryAfterSeconds: number,
  ) {
    super('Too many passwords are being hashed; request shed');
    this.name = 'HashingBusyError';
  }
}

export interface HashLimits {
  /** Runs at once. */
  concurrency: number;
  /** Runs waiting or reserved, at most (memory bound). */
  maxQueue: number;
  /** The longest expected wait a new run is admitted with. */
  waitBudgetMs: number;
  /** A run still waiting after this long is refused, not run. */
  maxWaitMs: number;
}

/** How one run waits: with a place reserved earlier, and no later than its request's deadline. */
export interface RunOptions {
  ticket?: HashTicket | undefined;
  /** performance.now() after which nobody waits for the result. */
  deadlineAt?: number | undefined;
}

/** A place in the queue taken before the hash is known (a login's look-up); run with it or release it. */
export interface HashTicket {
  release(): void;
}

interface Waiter {
  start(): void;
}

export class HashLimiter {
  #active = 0;
  #reserved = 0;
  #runMs: number;
  readonly #waiting: Waiter[] = [];
  readonly #tickets = new WeakSet<HashTicket>();

  constructor(
    readonly limits: HashLimits,
    /** A first estimate of one run's time (e.g. the start-up hash's), until runs are measured. */
    estimateMs = INITIAL_HASH_ESTIMATE_MS,
  ) {
    this.#runMs = estimateMs;
  }

  get concurrency(): number {
    return this.limits.concurrency;
  }

  /** Runs in progress. */
  get running(): number {
    return this.#active;
  }

  /** Runs waiting for a slot, and places reserved for runs about to come. */
  get waiting(): number {
    return this.#waiting.length + this.#reserved;
  }

  /** The moving average of one run's time, waiting excluded. */
  get runEstimateMs(): number {
    return this.#runMs;
  }

  /** How long a run arriving now would wait for a slot. */
  expectedWaitMs(): number {
    const ahead = this.waiting;
    if (ahead === 0 && this.#active < this.limits.concurrency) return 0;
    return ((ahead + 1) * this.#runMs) / this.limits.concurrency;
  }

  /** Takes a place for a run to come, or throws HashingBusyError as `run` would. */
  reserve(deadlineAt?: number): HashTicket {
    this.#admit(deadlineAt);
    this.#reserved++;
    let held = true;
    const ticket = {
      release: () => {
        if (!held) return;
        held = false;
        this.#reserved--;
      },
    };
    this.#tickets.add(ticket);
    return ticket;
  }

  /**
   * Runs `task` when a slot is free. Without a ticket, throws HashingBusyError at once when the
   * expected wait is over budget (or past the deadline) or the queue is full; with one, its place
   * was checked already. A run still waiting at maxWaitMs or its deadline is refused, not run.
   */
  async run<T>(task: () => Promise<T>, { ticket, deadlineAt }: RunOptions = {}): Promise<T> {
    if (ticket && this.#tickets.has(ticket)) ticket.release();
    else this.#admit(deadlineAt);
    await this.#acquire(deadlineAt);
    const started = performance.now();
    try {
      return await task();
    } finally {
      this.#runMs += SMOOTHING * (performance.now() - started - this.#runMs);
      this.#release();
    }
  }

  /** A free slot admits at once; a run that would wait must fit the budget, its deadline and the queue. */
  #admit(deadlineAt = Infinity): void {
    const wait = this.expectedWaitMs();
    if (wait === 0) return;
    const allowed = Math.min(this.limits.waitBudgetMs, deadlineAt - performance.now());
    if (wait > allowed || this.waiting >= this.limits.maxQueue) throw this.#busy(wait);
  }

  #busy(waitMs = this.expectedWaitMs()): HashingBusyError {
    return new HashingBusyError(Math.max(1, Math.ceil(waitMs / 1000)));
  }

  #acquire(deadlineAt = Infinity): Promise<void> {
    if (this.#active < this.limits.concurrency && this.#waiting.length === 0) {
      this.#active++;
      return Promise.resolve();
    }
    return new Promise<void>((start, refuse) => {
      // Refused when the wait runs out, not when its turn comes: the caller hears at its deadline.
      const giveUpMs = Math.max(0, Math.min(this.limits.maxWaitMs, deadlineAt - performance.now()));
      const timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
        refuse(this.#busy());
      }, giveUpMs);
      const waiter: Waiter = { start: () => (clearTimeout(timer), start()) };
      this.#waiting.push(waiter);
    });
  }

  /** Hands the slot straight to the next waiter, so none is overtaken. */
  #release(): void {
    const next = this.#waiting.shift();
    if (next) next.start();
    else this.#active--;
  }
}
