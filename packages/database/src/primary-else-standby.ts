import type { Sql } from 'postgres';
import type { Database } from './connect.js';

/**
 * A read that belongs on the primary but may come from a standby while the primary cannot
 * answer (GETHASH's lock and second-factor checks keep logins working through a failover).
 */
export async function readPrimaryElseStandby<T>(db: Database, query: (sql: Sql) => Promise<T>): Promise<T> {
  try {
    // Not retried when a standby can answer instead: during a failover the retry would only wait again.
    return await db.primary(query, { retry: !db.hasStandby });
  } catch (err) {
    if (!db.hasStandby) throw err;
    return db.standby(query).catch(() => Promise.reject(err));
  }
}
