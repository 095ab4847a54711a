import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { connectDatabase, migrate } from '@gatehouse/database';
import { InProcessRpc, type RpcClient } from '@gatehouse/messaging';
import { createRequestHandler, DEFAULT_POLICIES, retentionPolicy, startBackEnd, startHousekeeping } from '@gatehouse/back-end';
import { FRONT_END_DEFAULTS, startFrontEnd, type FrontEndConfig } from '@gatehouse/front-end';
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
  const dataDir = resolve(config.DATA_DIR);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      const unlock = await lockDataDir(dataDir, config.DATA_DIR);
      stops.push(unlock);
      logger.info({ dataDir }, 'Starting embedded PostgreSQL (PGlite); the first start takes a few seconds');
      const embedded = await startEmbeddedPostgres(join(dataDir, 'pglite'), join(dataDir, 'socket'));
      stops.push(() => embedded.stop());
      databaseUrl = embedded.url;
    }
    const rpc = await startBackEndPart(config, databaseUrl, logger, stops);
    const frontEnd = await startFrontEnd(frontEndConfig(config, await sessionSecret(config, dataDir)), logger, rpc);
    stops.push(() => frontEnd.stop());
    return { url: frontEnd.url, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Over AMQP when a broker is named; otherwise the in-process transport. */
async function startBackEndPart(config: AllInOneConfig, databaseUrl: string, logger: Logger, stops: (() => Promise<void>)[]) {
  const embedded = !config.DATABASE_URL;
  if (config.AMQP_URL) {
    const backEnd = await startBackEnd(
      {
        amqpUrls: config.AMQP_URL,
        databaseUrl,
        databaseReadUrl: config.DATABASE_READ_URL ?? databaseUrl,
        requestQueue: config.REQUEST_QUEUE,
        queueMode: config.REQUEST_QUEUE_MODE,
        prefetch: 16,
        databasePoolSize: embedded ? 1 : 10,
        queryTimeoutMs: 5000,
        logLevel: config.LOG_LEVEL,
        policies: DEFAULT_POLICIES,
        auditRetentionDays: config.AUDIT_RETENTION_DAYS,
      },
      logger,
    );
    stops.push(() => backEnd.stop());
    return undefined;
  }
  // PGlite has a single backend, so the embedded database gets a single connection.
  const db = connectDatabase({ url: databaseUrl, readUrl: config.DATABASE_READ_URL, max: embedded ? 1 : 10 });
  stops.push(() => db.close());
  await migrate(db.readWrite);
  // No Back End runs here, so this process prunes what one would (processed_requests, audit rows).
  const stopHousekeeping = startHousekeeping(db, logger, retentionPolicy(config.AUDIT_RETENTION_DAYS, DEFAULT_POLICIES.lockout));
  stops.push(async () => stopHousekeeping());
  const rpc: RpcClient = new InProcessRpc(createRequestHandler(db, logger, DEFAULT_POLICIES), config.RPC_TIMEOUT_MS);
  return rpc;
}

function frontEndConfig(config: AllInOneConfig, secret: string): FrontEndConfig {
  return {
    port: config.PORT,
    host: config.HOST,
    amqpUrls: config.AMQP_URL ?? [],
    requestQueue: config.REQUEST_QUEUE,
    queueMode: config.REQUEST_QUEUE_MODE,
    rpcTimeoutMs: config.RPC_TIMEOUT_MS,
    sessionSecret: secret,
    trustProxy: false,
    logLevel: config.LOG_LEVEL,
    // Plain HTTP on localhost, with the Front End's documented security defaults.
    ...FRONT_END_DEFAULTS,
    argon2: { ...FRONT_END_DEFAULTS.argon2 },
  };
}

async function sessionSecret(config: AllInOneConfig, dataDir: string): Promise<string> {
  return config.SESSION_SECRET ?? loadOrCreateSessionSecret(dataDir);
}
