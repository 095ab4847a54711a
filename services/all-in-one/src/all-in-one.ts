import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { migrate } from '@gatehouse/database';
import { InProcessRpc, type RpcClient } from '@gatehouse/messaging';
import {
  connectBackEndDatabase, createBackEndMetrics, createRequestHandler, retentionPolicy, startBackEnd, startHousekeeping, type BackEndConfig,
} from '@gatehouse/back-end';
import { createMetricsRegistry, type Registry } from '@gatehouse/runtime';
import { startFrontEnd } from '@gatehouse/front-end';
import type { AllInOneConfig } from './config.js';
import { lockDataDir } from './data-dir-lock.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { loadOrCreateSessionSecret } from './session-secret.js';

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
    // One registry for both tiers: the Front End's /metrics shows the whole process.
    const registry = createMetricsRegistry();
    const rpc = await startBackEndPart(backEnd as BackEndConfig, { rpcTimeoutMs: config.frontEnd.rpcTimeoutMs, embeddedDatabase }, logger, stops, registry);
    const secret = config.frontEnd.sessionSecret ?? (await loadOrCreateSessionSecret(dataDir));
    const frontEnd = await startFrontEnd({ ...config.frontEnd, sessionSecret: secret }, logger, rpc, undefined, registry);
    stops.push(() => frontEnd.stop());
    return { url: frontEnd.url, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Over AMQP when a broker is named; otherwise the in-process transport. */
async function startBackEndPart(
  config: BackEndConfig,
  { rpcTimeoutMs, embeddedDatabase }: { rpcTimeoutMs: number; embeddedDatabase: boolean },
  logger: Logger,
  stops: (() => Promise<void>)[],
  registry: Registry,
) {
  if (config.amqpUrls.length > 0) {
    const backEnd = await startBackEnd(config, logger, registry);
    stops.push(() => backEnd.stop());
    return undefined;
  }
  const metrics = createBackEndMetrics(registry);
  const db = connectBackEndDatabase(config, metrics);
  stops.push(() => db.close());
  await migrate(db.readWrite);
  // No Back End runs here, so this process prunes what one would (processed_requests, audit rows).
  const stopHousekeeping = startHousekeeping(db, logger, retentionPolicy(config.auditRetentionDays, config.policies.lockout));
  stops.push(async () => stopHousekeeping());
  const handler = createRequestHandler(db, logger, config.policies, { patroniUrls: config.patroniUrls ?? [], embedded: embeddedDatabase });
  const rpc: RpcClient = new InProcessRpc(metrics.measure(handler), rpcTimeoutMs, logger);
  return rpc;
}
