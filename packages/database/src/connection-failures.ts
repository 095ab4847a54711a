/**
 * Errors that say the connection, not the request, failed: the request may succeed on a fresh
 * connection. Data errors (a bad value, a constraint) never match, as they would fail again.
 */
const LOST_CONNECTION = new Set([
  'QUERY_TIMEOUT', // our own deadline: no answer at all
  'ECONNRESET',
  'EPIPE',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '57P01', // admin_shutdown: the server is stopping, as in a failover
  '57P02', // crash_shutdown
  '25006', // read_only_sql_transaction: this connection reached a primary that has since been demoted
]);

export function isConnectionFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string') return false;
  return LOST_CONNECTION.has(code) || /^08[0-9A-Z]{3}$/.test(code); // class 08: connection exception
}
