import postgres, { type Sql } from 'postgres';

export interface DatabaseOptions {
  /** Read/write: the primary. */
  url: string;
  /** Read-only: the standbys. Defaults to `url`. */
  readUrl?: string;
  /** Connections per pool. */
  max?: number;
  /** Fail a query that waits longer than this, instead of hanging through a failover. */
  queryTimeoutMs?: number;
}

/** The two connection pools of chapter 10: reads go to the standbys, writes to the primary. */
export interface Database {
  readWrite: Sql;
  readOnly: Sql;
  close(): Promise<void>;
}

export function connectDatabase({ url, readUrl, max = 10, queryTimeoutMs = 5000 }: DatabaseOptions): Database {
  const options = {
    max,
    connect_timeout: Math.ceil(queryTimeoutMs / 1000),
    onnotice: () => undefined,
    connection: { statement_timeout: queryTimeoutMs, application_name: 'gatehouse-back-end' },
  };
  const readWrite = postgres(url, options);
  const readOnly = readUrl && readUrl !== url ? postgres(readUrl, options) : readWrite;
  return {
    readWrite,
    readOnly,
    async close() {
      await Promise.all([...new Set([readWrite, readOnly])].map((sql) => sql.end({ timeout: 5 })));
    },
  };
}

/** Fails unless the server answers; used with backoff at start-up. */
export async function ping(sql: Sql): Promise<void> {
  await sql`SELECT 1`;
}
