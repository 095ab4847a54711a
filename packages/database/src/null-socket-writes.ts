import type { Logger } from 'pino';

/**
 * postgres.js 3.4.9 and 3.4.10 buffer a small write behind setImmediate. When a transaction's
 * connection dies under it (a failover, a reset from HAProxy), begin() sends its ROLLBACK on
 * that connection, and the immediate then writes to a null socket and throws (porsager/postgres
 * #1154 and #1208; the guards proposed in #1168 and #1209 are not released). The throw escapes
 * every await, so Node would end the whole Back End: the chaos suite's cluster lost one so. The
 * transaction has already failed with CONNECTION_CLOSED, and our pool replaces a connection that
 * failed (server-pool.ts), so that one exception is logged and the process goes on. Any other
 * uncaught exception still ends it, as Node's default does. Reproduced in
 * test/integration/postgres-null-socket.test.ts.
 */
export function isNullSocketWrite(err: unknown): boolean {
  return (
    err instanceof TypeError &&
    err.message === "Cannot read properties of null (reading 'write')" &&
    /at (Immediate\.)?nextWrite \(\S*postgres\/(cjs\/)?src\/connection\.js:/.test(err.stack ?? '')
  );
}

/** Installs the guard for this process; returns a function that removes it. */
export function surviveNullSocketWrites(logger: Logger): () => void {
  const onUncaught = (err: Error) => {
    if (isNullSocketWrite(err)) {
      logger.warn({ err: { message: err.message } }, 'postgres.js wrote to a closed connection (porsager/postgres#1154); its transaction had already failed, and the pool replaces the connection');
      return;
    }
    // What Node does without a listener: the error on stderr, exit code 1.
    process.stderr.write(`${err.stack ?? String(err)}\n`);
    process.exit(1);
  };
  process.on('uncaughtException', onUncaught);
  return () => process.off('uncaughtException', onUncaught);
}
