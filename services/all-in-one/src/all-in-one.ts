import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { migrate } from '@gatehouse/database';
import { InProcessRpc, type RpcClient } from '@gatehouse/messaging';
import {
  checkMfaKeys, connectBackEndDatabase, MfaKeyring, parseMfaKey, createBackEndMetrics, createRequestHandler, retentionPolicy, startBackEnd, startHousekeeping, type BackEndConfig,
} from '@gatehouse/back-end';
import type { Database } from '@gatehouse/database';
import { createMetricsRegistry, type Registry } from '@gatehouse/runtime';
import { startFrontEnd } from '@gatehouse/front-end';
import type { AllInOneConfig } from './config.js';
import { lockDataDir } from './data-dir-lock.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { loadOrCreateMfaKey, loadOrCreateSessionSecret } from './session-secret.js';
import { LateOutboxKick, startEmbeddedMail } from './embedded-mail.js';

export interface RunningGatehouse {
  url: string;
  stop(): Promise<void>;
}

/** Both tiers in one process, on the servers the config names or on embedded ones. */
export async function startAllInOne(config: AllInOneConfig, logger: Logger): Promise<RunningGatehouse> {
  const dataDir = resolve(config.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    let backEnd = config.backEnd;
    const embeddedDatabase = !backEnd.databaseUrl;
    if (embeddedDatabase) {
      stops.push(await lockDataDir(dataDir, config.dataDir));
      logger.info({ dataDir }, 'Starting embedded PostgreSQL (PGlite); the first start takes a few seconds');
      const embedded = await startEmbeddedPostgres(join(dataDir, 'pglite'), join(dataDir, 'socket'));
      stops.push(() => embedded.stop());
      // PGlite has a single backend, so the embedded database gets a single connection.
      backEnd = { ...backEnd, databaseUrl: embedded.url, databaseReadUrl: embedded.url, databasePoolSize: 1 };
    }
    if (!backEnd.policies.mfaKeys) {
      const mfaKeys = new MfaKeyring(parseMfaKey(await loadOrCreateMfaKey(dataDir)));
      backEnd = { ...backEnd, policies: { ...backEnd.policies, mfaKeys } };
    }
    // One registry for both tiers: the Front End's /metrics shows the whole process.
    const registry = createMetricsRegistry();
    const outbox = new LateOutboxKick();
    const part = await startBackEndPart(backEnd as BackEndConfig, { rpcTimeoutMs: config.frontEnd.rpcTimeoutMs, embeddedDatabase, outbox }, logger, stops, registry);
    const secret = config.frontEnd.sessionSecret ?? (await loadOrCreateSessionSecret(dataDir));
    const frontEnd = await startFrontEnd({ ...config.frontEnd, sessionSecret: secret }, logger, part.rpc, undefined, registry);
    stops.push(() => frontEnd.stop());
    // The links in mails point at the Front End, so mail starts once its address is known.
    const mailer = config.mailer;
    const mailSettings = { smtpUrl: mailer.smtpUrl, site: mailer.site(frontEnd.url), concurrency: mailer.concurrency, leaseMs: mailer.leaseMs, mailDir: join(dataDir, 'mail') };
    const over = part.rpc ? { rpc: part.rpc, db: part.db!, outbox } : { broker: { ...(backEnd as BackEndConfig), rpcTimeoutMs: config.frontEnd.rpcTimeoutMs } };
    stops.push(await startEmbeddedMail(mailSettings, over, logger));
    return { url: frontEnd.url, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Over AMQP when a broker is named; otherwise the in-process transport. */
async function startBackEndPart(
  config: BackEndConfig,
  { rpcTimeoutMs, embeddedDatabase, outbox }: { rpcTimeoutMs: number; embeddedDatabase: boolean; outbox: LateOutboxKick },
  logger: Logger,
  stops: (() => Promise<void>)[],
  registry: Registry,
): Promise<{ rpc?: RpcClient; db?: Database }> {
  if (config.amqpUrls.length > 0) {
    const backEnd = await startBackEnd(config, logger, registry);
    stops.push(() => backEnd.stop());
    return {};
  }
  const metrics = createBackEndMetrics(registry);
  const db = connectBackEndDatabase(config, metrics);
  stops.push(() => db.close());
  await migrate(db.readWrite);
  await checkMfaKeys(db, config.policies.mfaKeys);
  // No Back End runs here, so this process prunes what one would (processed_requests, audit rows).
  const stopHousekeeping = startHousekeeping(db, logger, retentionPolicy(config.auditRetentionDays, config.policies.lockout));
  stops.push(async () => stopHousekeeping());
  const handler = createRequestHandler(db, logger, config.policies, { patroniUrls: config.patroniUrls ?? [], etcdUrls: config.etcdUrls, haproxyStatsUrl: config.haproxyStatsUrl, embedded: embeddedDatabase }, outbox);
  const rpc: RpcClient = new InProcessRpc(metrics.measure(handler), rpcTimeoutMs, logger);
  return { rpc, db };
}
