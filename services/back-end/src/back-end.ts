import { connectDatabase, migrate, outboxBacklog, postgresLoginRefusal, type Database } from '@gatehouse/database';
import { amqpLoginRefusal, connectAmqp, createMailPublisher, deadLetterCount, startRpcServer, type RpcServer } from '@gatehouse/messaging';
import { createMetricsRegistry, startHealthServer, withBackoff, type Registry } from '@gatehouse/runtime';
import type { Logger } from 'pino';
import type { BackEndConfig } from './config.js';
import { createRequestHandler } from './handlers/index.js';
import { retentionPolicy, startHousekeeping } from './housekeeping.js';
import { createBackEndMetrics, type BackEndMetrics } from './metrics.js';
import { createReadiness } from './readiness.js';
import { OutboxRelay } from './mail/outbox-relay.js';
import { checkMfaKeys } from './second-factors/key-check.js';

export interface RunningBackEnd {
  /** Fails /readyz at once, stops consuming, finishes requests in flight, closes the broker and database. */
  stop(): Promise<void>;
}

/** The database pools a Back End's settings describe (also npm start's, for its in-process Back End). */
export function connectBackEndDatabase(config: BackEndConfig, metrics?: BackEndMetrics): Database {
  return connectDatabase({
    observe: metrics?.observeQuery,
    url: config.databaseUrl,
    readUrl: config.databaseReadUrl,
    max: config.databasePoolSize,
    queryTimeoutMs: config.queryTimeoutMs,
    maxLifetimeSeconds: config.databaseMaxLifetimeSeconds,
  });
}

/** Connects to both servers (waiting for them, as they may start later), migrates, and consumes. */
export async function startBackEnd(config: BackEndConfig, logger: Logger, registry: Registry = createMetricsRegistry()): Promise<RunningBackEnd> {
  const metrics = createBackEndMetrics(registry);
  const db = connectBackEndDatabase(config, metrics);
  let started: RpcServer | undefined;
  const readiness = createReadiness({ isConsuming: () => started?.isConsuming() ?? false, pingPrimary: () => db.ping() });
  // Up before the waits below, so an orchestrator sees a live process that is not ready yet.
  const health = config.health && (await startHealthServer(config.health, readiness, logger, registry));
  await withBackoff('the database', () => db.ping(), { logger, refusal: (err) => postgresLoginRefusal(err, config.databaseUrl) });
  const applied = await migrate(db.readWrite, { onRetry: (err, attempt) => logger.warn({ err: { message: err.message }, attempt }, 'Migrations will be retried') });
  if (applied.length) logger.info({ applied }, 'Applied migrations');
  await checkMfaKeys(db, config.policies.mfaKeys);

  const connection = connectAmqp({ urls: config.amqpUrls, name: 'gatehouse-back-end', logger });
  await withBackoff('messaging service', () => connection.onConnect(5000, true), { logger, refusal: (err) => amqpLoginRefusal(err, config.amqpUrls) });
  // Quorum mode's callers use direct reply-to; see isolated-replies.ts in the messaging package.
  const replyConnection = config.queueMode === 'quorum' ? connectAmqp({ urls: config.amqpUrls, name: 'gatehouse-back-end-replies', logger }) : undefined;
  const mailPublisher = createMailPublisher(connection, config.mailQueue, config.queueMode);
  const relay = new OutboxRelay(db, mailPublisher, logger).start();
  const server = await startRpcServer({
    connection,
    queue: config.requestQueue,
    mode: config.queueMode,
    prefetch: config.prefetch,
    handle: metrics.measure(createRequestHandler(db, logger, config.policies, { patroniUrls: config.patroniUrls ?? [], etcdUrls: config.etcdUrls, haproxyStatsUrl: config.haproxyStatsUrl }, relay)),
    logger,
    onDeadLettered: metrics.deadLettered,
    replyConnection,
    onUnreachableReply: metrics.unreachableReply,
    onExpired: metrics.expired,
  });
  if (config.queueMode === 'quorum') {
    metrics.watchDeadLetters(() => deadLetterCount(connection, config.requestQueue));
    metrics.watchMailDeadLetters(() => deadLetterCount(connection, config.mailQueue));
  }
  metrics.watchOutbox(() => outboxBacklog(db));
  started = server;
  const stopHousekeeping = startHousekeeping(db, logger, retentionPolicy(config.auditRetentionDays, config.policies.lockout));
  return {
    async stop() {
      readiness.markStopping();
      stopHousekeeping();
      await server.close();
      await relay.stop();
      await mailPublisher.close();
      await replyConnection?.close();
      await connection.close();
      await db.close();
      await health?.close();
    },
  };
}
