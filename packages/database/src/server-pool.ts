import type { Sql } from 'postgres';
import { isConnectionFailure } from './connection-failures.js';
import { ConnectionSlots, type Slot } from './connection-slots.js';
import { withDeadline } from './deadline.js';
import { currentDeadline, DeadlineExceededError, msUntil } from './request-deadline.js';

/** How much earlier than needed a connection's statement_timeout may end a statement: callers with similar deadlines share a setting. */
const STATEMENT_TIMEOUT_SLACK_MS = 500;

export interface ServerPoolLimits {
  /** Connections in the pool. */
  max: number;
  /** The server's statement_timeout: a statement running longer is cancelled. */
  queryTimeoutMs: number;
  /** How much longer the client waits for the server's own answer before it gives up on the connection. */
  answerGraceMs: number;
}

/**
 * One server's connections. A query's client-side deadline starts once it has a connection:
 * waiting for one under load is not the server being gone. A query that gets no answer in time
 * ends its own connection; a connection that fails (reset, server shutdown, demoted primary)
 * also marks the others suspect (ConnectionSlots.invalidate). Within a request's deadline
 * (request-deadline.ts) nothing starts or is retried after it, and no statement runs past it.
 */
export class ServerPool {
  readonly #slots: ConnectionSlots;
  /** For migrations, tests and the readiness ping: a plain postgres.js pool, replaced when its ping times out. */
  #direct: Sql;

  constructor(
    private readonly open: (max: number) => Sql,
    /** host:port, for error messages. */
    readonly where: string,
    private readonly limits: ServerPoolLimits,
  ) {
    this.#slots = new ConnectionSlots(() => open(1), limits.max, limits.queryTimeoutMs);
    this.#direct = open(limits.max);
  }

  /** A plain pool to this server; queries made through it directly get no deadline. */
  get sql(): Sql {
    return this.#direct;
  }

  /** Runs `work` (one query or one transaction) within the deadline, once more on a fresh connection if the connection failed. */
  async run<T>(work: (sql: Sql) => Promise<T>, { retry = true } = {}): Promise<T> {
    const deadline = currentDeadline();
    const slot = await this.#slots.acquire(deadline);
    try {
      return await this.#attempt(slot, work, deadline);
    } catch (err) {
      if (!retry || !isConnectionFailure(err) || msUntil(deadline) <= 0) throw err;
      return await this.#attempt(slot, work, deadline); // #attempt gave the slot a new connection
    } finally {
      this.#slots.release(slot);
    }
  }

  /** Fails unless the server answers a trivial query in time (readiness); a hung ping ends its pool. */
  async ping(): Promise<void> {
    const sql = this.#direct;
    try {
      await withDeadline(Promise.resolve().then(() => sql`SELECT 1`), this.limits.queryTimeoutMs + this.limits.answerGraceMs, this.where);
    } catch (err) {
      if (isConnectionFailure(err) && sql === this.#direct) {
        this.#direct = this.open(this.limits.max);
        sql.end({ timeout: 0 }).catch(() => undefined);
      }
      throw err;
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.#slots.close(), this.#direct.end({ timeout: 5 })]);
  }

  async #attempt<T>(slot: Slot, work: (sql: Sql) => Promise<T>, deadline: number | undefined): Promise<T> {
    const left = Math.floor(msUntil(deadline));
    if (left <= 0) throw new DeadlineExceededError('before the query started');
    // The server cancels the statement at the caller's deadline (or QUERY_TIMEOUT_MS), so a
    // write that waited on a lock cannot commit after its caller was told it failed.
    const statementMs = this.#statementLimit(slot, Math.min(this.limits.queryTimeoutMs, left));
    const sql = slot.sql;
    try {
      const limited = this.#limitStatements(slot, statementMs);
      const running = Promise.all([limited, Promise.resolve().then(() => work(sql))]).then(([, result]) => result);
      return await withDeadline(running, statementMs + this.limits.answerGraceMs, this.where);
    } catch (err) {
      if (isConnectionFailure(err)) this.#replace(slot, err);
      throw err;
    }
  }

  /**
   * The statement_timeout to run with: the connection's own when it ends no later than `wanted`
   * and at most STATEMENT_TIMEOUT_SLACK_MS before it, so most queries need no set_config.
   */
  #statementLimit(slot: Slot, wanted: number): number {
    const current = slot.statementTimeoutMs;
    return current <= wanted && current >= wanted - STATEMENT_TIMEOUT_SLACK_MS ? current : wanted;
  }

  /** Sets the connection's statement_timeout when it differs; pipelined ahead of the work, so no extra round trip. */
  #limitStatements(slot: Slot, ms: number): Promise<unknown> {
    if (slot.statementTimeoutMs === ms) return Promise.resolve();
    return slot.sql`SELECT set_config('statement_timeout', ${String(ms)}, false)`.execute().then(() => {
      slot.statementTimeoutMs = ms;
    });
  }

  /** A timeout ends this connection only; any other connection failure makes the rest suspect too. */
  #replace(slot: Slot, err: unknown): void {
    if ((err as { code?: string }).code !== 'QUERY_TIMEOUT') this.#slots.invalidate(slot);
    this.#slots.replace(slot);
  }
}
