/** A query that got no answer in time: the server, or the path to it, is gone. */
export class QueryTimeoutError extends Error {
  readonly code = 'QUERY_TIMEOUT';

  constructor(where: string, ms: number) {
    super(`Database query timed out: no answer from ${where} within ${ms} ms`);
    this.name = 'QueryTimeoutError';
  }
}

/**
 * Settles like `work`, or rejects with QueryTimeoutError after `ms`. postgres.js has no query
 * timeout of its own, and statement_timeout cannot help when the server never answers.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, where: string): Promise<T> {
  // Once abandoned, `work` fails later (its connection is closed): that must not go unhandled.
  work.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new QueryTimeoutError(where, ms)), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
