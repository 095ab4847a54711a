import type { Sql } from 'postgres';
import { isConnectionFailure } from './connection-failures.js';
import { withDeadline } from './deadline.js';

/**
 * One server's connection pool, replaced by a fresh one when a connection fails. A query that
 * got no answer means every connection to that server is suspect (statement_timeout would
 * have answered if the server were there), so the whole pool goes, not just one connection.
 */
export class ServerPool {
  #current: Sql;
  #closed = false;

  constructor(
    private readonly open: () => Sql,
    /** host:port, for error messages. */
    readonly where: string,
    private readonly deadlineMs: number,
  ) {
    this.#current = open();
  }

  /** The pool as it is now; queries made through it directly get no deadline. */
  get sql(): Sql {
    return this.#current;
  }

  /** Runs `work` (one query or one transaction) within the deadline, once more on a fresh pool if the connection failed. */
  async run<T>(work: (sql: Sql) => Promise<T>, { retry = true } = {}): Promise<T> {
    try {
      return await this.#attempt(work);
    } catch (err) {
      if (!retry || this.#closed || !isConnectionFailure(err)) throw err;
      return this.#attempt(work);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#current.end({ timeout: 5 });
  }

  async #attempt<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    const sql = this.#current;
    try {
      return await withDeadline(Promise.resolve().then(() => work(sql)), this.deadlineMs, this.where);
    } catch (err) {
      if (isConnectionFailure(err)) this.#replace(sql);
      throw err;
    }
  }

  /** Only the pool that failed, and only once: others failing with it must not replace its successor. */
  #replace(broken: Sql): void {
    if (this.#closed || broken !== this.#current) return;
    this.#current = this.open();
    // Ends at once: queries still running on it fail with CONNECTION_DESTROYED.
    broken.end({ timeout: 0 }).catch(() => undefined);
  }
}
