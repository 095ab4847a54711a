import type { Sql } from 'postgres';
import { DeadlineExceededError, msUntil } from './request-deadline.js';

/**
 * One pooled connection: a postgres.js instance with `max: 1`. postgres.js can reserve one of its
 * pooled connections (sql.reserve()) but cannot end one alone (end() ends them all, and a reserved
 * connection has no begin()), so each connection is an instance of its own, and this module pools
 * them. That is what lets a query's deadline start once it has a connection, and lets a timed-out
 * query end its own connection without touching anyone else's.
 */
export interface Slot {
  sql: Sql;
  /** The pool generation this connection was opened in (see ConnectionSlots.invalidate). */
  generation: number;
  /** The statement_timeout this connection has now, in ms. */
  statementTimeoutMs: number;
}

interface Waiter {
  resolve(slot: Slot): void;
  reject(err: Error): void;
  timer?: NodeJS.Timeout;
}

/**
 * Up to `max` connections, opened on demand (postgres.js connects at the first query). A caller
 * waits in line for one, FIFO, for as long as its request's deadline allows; without one it waits
 * until a connection is free, which every holder's own query deadline bounds.
 */
export class ConnectionSlots {
  readonly #all = new Set<Slot>();
  /** LIFO: the connection used last is the likeliest to be open and alive. */
  readonly #idle: Slot[] = [];
  readonly #waiting: Waiter[] = [];
  #generation = 0;
  #closed = false;

  constructor(
    private readonly open: () => Sql,
    private readonly max: number,
    private readonly defaultStatementTimeoutMs: number,
  ) {}

  acquire(deadline: number | undefined): Promise<Slot> {
    if (this.#closed) return Promise.reject(new Error('The database pool is closed'));
    const idle = this.#idle.pop();
    if (idle) return Promise.resolve(this.#fresh(idle));
    if (this.#all.size < this.max) return Promise.resolve(this.#add());
    const left = msUntil(deadline);
    if (left <= 0) return Promise.reject(new DeadlineExceededError('while waiting for a database connection'));
    return new Promise<Slot>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      if (left !== Infinity) waiter.timer = setTimeout(() => this.#giveUp(waiter), left);
      this.#waiting.push(waiter);
    });
  }

  release(slot: Slot): void {
    if (this.#closed) return void this.#end(slot);
    const next = this.#waiting.shift();
    if (!next) return void this.#idle.push(slot);
    clearTimeout(next.timer);
    next.resolve(this.#fresh(slot));
  }

  /** Ends this slot's connection at once (queries on it fail with CONNECTION_DESTROYED) and gives it a new one. */
  replace(slot: Slot): void {
    const broken = slot.sql;
    slot.sql = this.open();
    slot.statementTimeoutMs = this.defaultStatementTimeoutMs;
    slot.generation = this.#generation;
    broken.end({ timeout: 0 }).catch(() => undefined);
  }

  /**
   * The server this pool reaches has failed (a reset connection, a shutdown, a demoted primary):
   * every connection opened before `failed`'s is suspect. Idle ones are replaced now, busy ones
   * when they are released, so queries in flight finish (or fail) on their own. Only once per
   * failure: connections failing together must not replace each other's successors.
   */
  invalidate(failed: Slot): void {
    if (failed.generation !== this.#generation) return;
    this.#generation++;
    for (const slot of this.#idle) this.replace(slot);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const waiter of this.#waiting.splice(0)) (clearTimeout(waiter.timer), waiter.reject(new Error('The database pool is closed')));
    await Promise.all([...this.#all].map((slot) => this.#end(slot, 5)));
  }

  #add(): Slot {
    const slot = { sql: this.open(), generation: this.#generation, statementTimeoutMs: this.defaultStatementTimeoutMs };
    this.#all.add(slot);
    return slot;
  }

  /** A connection from before the last invalidate() is replaced before anyone uses it again. */
  #fresh(slot: Slot): Slot {
    if (slot.generation !== this.#generation) this.replace(slot);
    return slot;
  }

  #giveUp(waiter: Waiter): void {
    const at = this.#waiting.indexOf(waiter);
    if (at >= 0) this.#waiting.splice(at, 1);
    waiter.reject(new DeadlineExceededError('while waiting for a database connection'));
  }

  #end(slot: Slot, timeout = 0): Promise<void> {
    this.#all.delete(slot);
    return slot.sql.end({ timeout }).catch(() => undefined);
  }
}
