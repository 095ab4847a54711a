import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import postgres from 'postgres';

/**
 * COPYs `count` users into the users table, all with the same PHC string (hashing a million
 * passwords would take hours; the Back End only reads the hash back, the Front End verifies it).
 * Emails are already normalised (lower case), as the Back End stores them.
 */
export async function seedUsers(databaseUrl: string, count: number, hash: string, email: (n: number) => string, from = 0): Promise<{ seconds: number }> {
  if (hash.includes('\t') || hash.includes('\n') || hash.includes('\\')) throw new Error('a PHC string never holds tabs, newlines or backslashes');
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const started = performance.now();
  try {
    const rows = function* () {
      const batch = 5000; // rows per chunk: few, large writes
      for (let n = from; n < from + count; n += batch) {
        let chunk = '';
        for (let i = n; i < Math.min(n + batch, from + count); i++) chunk += `${email(i)}\t${hash}\n`;
        yield chunk;
      }
    };
    const copy = await sql`COPY users (email, hash) FROM STDIN`.writable();
    await pipeline(Readable.from(rows()), copy);
    // Now, not by autovacuum in the middle of the measurement that follows.
    await sql`VACUUM (ANALYZE) users`;
    return { seconds: (performance.now() - started) / 1000 };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Rows in the users table. */
export async function countUsers(databaseUrl: string): Promise<number> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ n: string }[]>`SELECT count(*) AS n FROM users`;
    return Number(row?.n ?? 0);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
