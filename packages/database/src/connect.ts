import postgres, { type Sql } from 'postgres';
import { ServerPool } from './server-pool.js';

export interface DatabaseOptions {
  /** Read/write: the primary. */
  url: string;
  /** Read-only: the standbys. Defaults to `url`. */
  readUrl?: string;
  /** Connections per pool (each server also gets a plain pool, `readWrite`/`readOnly`, opened only as used). */
  max?: number;
  /** The server cancels a statement running longer than this; the client gives up on it a moment later. */
  queryTimeoutMs?: number;
  /** Connections are replaced after this long, so a pool never stays on a server that has changed roles. */
  maxLifetimeSeconds?: number;
  /** Called after each query or transaction run through `primary` or `standby` (metrics). */
  observe?: QueryObserver;
}

/** Which pool ran the work: `read_write` (the primary) or `read` (a standby), how long it took, and whether it failed. */
export type QueryObserver = (pool: 'read' | 'read_write', seconds: number, failed: boolean) => void;

/** How long after statement_timeout the client stops waiting: the server's own answer should come first. */
export const ANSWER_GRACE_MS = 1000;

/**
 * The two connection pools of chapter 10. Writes, and reads of auth state (sessions, locks), go
 * to the primary; reads that tolerate lag may go to a standby.
 */
export interface Database {
  /** A plain pool to the primary: for migrations and tests (no client deadline, no retry). */
  readonly readWrite: Sql;
  /** A plain pool to the standbys (the primary's when there is no DATABASE_READ_URL). */
  readonly readOnly: Sql;
  /** True when reads may come from a separate standby. */
  readonly hasStandby: boolean;
  /**
   * One query or transaction on the primary, within the deadline (QUERY_TIMEOUT_MS from when it
   * has a connection, and the caller's deadline: request-deadline.ts); retried once on a fresh
   * connection if the connection failed, unless `retry` is false (the caller has a fallback).
   */
  primary<T>(work: (sql: Sql) => Promise<T>, options?: { retry?: boolean }): Promise<T>;
  /** One query on a standby, within the deadline, not retried: callers fall back to the primary. */
  standby<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  /** Fails unless the primary answers a trivial query within the query deadline (readiness, start-up). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function connectDatabase({ url, readUrl, max = 10, queryTimeoutMs = 5000, maxLifetimeSeconds = 300, observe }: DatabaseOptions): Database {
  const options = {
    max,
    // Named prepared statements (postgres.js's default, kept on purpose): off, an RPC cost about 25% more CPU.
    prepare: true,
    // No catalog query of postgres.js's own on each new connection: it has no handler, so a
    // connection dropped while it runs (a pool replaced in a failover) crashed the whole Back End
    // (porsager/postgres#1192). It is only for array types: Gatehouse reads none, and sends its
    // one array (attempt_login's lock ladder) as a literal cast in SQL (login-attempts.ts).
    fetch_types: false,
    connect_timeout: Math.ceil(queryTimeoutMs / 1000),
    max_lifetime: maxLifetimeSeconds,
    onnotice: () => undefined,
    connection: {
      statement_timeout: queryTimeoutMs,
      // A worker frozen mid-transaction must not hold its row locks for ever.
      idle_in_transaction_session_timeout: queryTimeoutMs,
      application_name: 'gatehouse-back-end',
    },
  };
  const limits = { max, queryTimeoutMs, answerGraceMs: ANSWER_GRACE_MS };
  const pool = (target: string) => new ServerPool((connections) => postgres(...withSocket(target, { ...options, max: connections })), hostsOf(target), limits);
  const primary = pool(url);
  const standby = readUrl && readUrl !== url ? pool(readUrl) : primary;
  return {
    get readWrite() {
      return primary.sql;
    },
    get readOnly() {
      return standby.sql;
    },
    hasStandby: standby !== primary,
    primary: (work, options) => timed(observe, 'read_write', () => primary.run(work, options)),
    standby: (work) => timed(observe, 'read', () => standby.run(work, { retry: false })),
    ping: () => primary.ping(),
    async close() {
      await Promise.all([...new Set([primary, standby])].map((p) => p.close()));
    },
  };
}

/** Runs `work`, reporting its duration to `observe` when there is one. */
async function timed<T>(observe: QueryObserver | undefined, pool: 'read' | 'read_write', work: () => Promise<T>): Promise<T> {
  if (!observe) return work();
  const started = performance.now();
  let failed = true;
  try {
    const result = await work();
    failed = false;
    return result;
  } finally {
    observe(pool, (performance.now() - started) / 1000, failed);
  }
}

/**
 * libpq's form for a Unix socket, `postgres://user@localhost/db?host=/socket/dir`, which
 * postgres.js does not read from a URL itself (the embedded database listens on one).
 */
function withSocket<O extends object>(url: string, options: O): [string, O & { host?: string }] {
  if (!/[?&]host=(\/|%2F)/i.test(url)) return [url, options];
  const parsed = new URL(url);
  const host = parsed.searchParams.get('host')!;
  parsed.searchParams.delete('host');
  return [parsed.toString(), { ...options, host }];
}

/** The host list of a connection URL, without credentials (new URL() rejects multi-host URLs). */
function hostsOf(url: string): string {
  return url.replace(/^[a-z]+:\/\//i, '').replace(/^[^@/]*@/, '').split(/[/?]/)[0] || 'the database';
}

/** Fails unless the server answers; used with backoff at start-up. */
export async function ping(sql: Sql): Promise<void> {
  await sql`SELECT 1`;
}
