/**
 * The bare RPC echo of `npm run bench`: the messaging package's RPC server on the same broker,
 * with a handler that answers at once (no database, no HTTP). Run as its own process, as the
 * Back End is. Env: AMQP_URL (comma-separated), ECHO_QUEUE, ECHO_QUEUE_MODE, PREFETCH.
 */
import { connectAmqp, startRpcServer, type QueueMode } from '@gatehouse/messaging';
import { pino } from 'pino';

const logger = pino({ level: 'info' });
const connection = connectAmqp({ urls: process.env.AMQP_URL!.split(','), name: 'bench-echo', logger });
const server = await startRpcServer({
  connection,
  queue: process.env.ECHO_QUEUE!,
  mode: (process.env.ECHO_QUEUE_MODE ?? 'quorum') as QueueMode,
  prefetch: Number(process.env.PREFETCH ?? 16),
  handle: async () => ({ success: true }),
  logger,
});
process.once('SIGTERM', () => {
  void server.close().then(() => connection.close()).then(() => process.exit(0));
});
