import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { connectDatabase, migrate, type Database } from '@gatehouse/database';
import { AmqpRpcClient, connectAmqp, type Connection } from '@gatehouse/messaging';
import { loadBackEndConfig, startBackEnd, type RunningBackEnd } from '@gatehouse/back-end';
import { createTestDatabase } from '../harness/postgres.js';
import { testLogger as logger } from './silent-logger.js';

/** An in-process Back End on the harness's broker and a fresh database, and an RPC client for it. */
export interface BackEndFixture {
  amqpUrl: string;
  queue: string;
  databaseUrl: string;
  backEnd: RunningBackEnd;
  connection: Connection;
  rpc: AmqpRpcClient;
  /** Direct access to the database behind DATABASE_URL. */
  primary: Database;
  /** With `laggingStandby`: the database behind DATABASE_READ_URL. */
  standby?: Database;
  /** With `laggingStandby`: DATABASE_READ_URL. */
  standbyUrl?: string;
  stop(): Promise<void>;
}

/**
 * `laggingStandby` gives DATABASE_READ_URL its own empty copy of the schema that never catches
 * up: the worst case of replication lag, and a way to see which URL each action reads.
 */
export async function startBackEndFixture(name: string, options: { laggingStandby?: boolean } = {}): Promise<BackEndFixture> {
  const amqpUrl = inject('amqpUrl');
  const queue = `request.${randomUUID()}`;
  const databaseUrl = await createTestDatabase(inject('postgresUrl'));
  const primary = connectDatabase({ url: databaseUrl });
  let standby: Database | undefined;
  const env: Record<string, string> = { AMQP_URL: amqpUrl, DATABASE_URL: databaseUrl, REQUEST_QUEUE: queue, MAIL_QUEUE: `mail.${randomUUID()}` };
  if (options.laggingStandby) {
    env.DATABASE_READ_URL = await createTestDatabase(inject('postgresUrl'));
    standby = connectDatabase({ url: env.DATABASE_READ_URL });
    await migrate(standby.readWrite);
  }
  const backEnd = await startBackEnd(loadBackEndConfig(env), logger);
  const connection = connectAmqp({ urls: [amqpUrl], name, logger });
  const rpc = new AmqpRpcClient({ connection, queue, mode: 'quorum', timeoutMs: 5000, logger });
  return {
    amqpUrl,
    queue,
    databaseUrl,
    backEnd,
    connection,
    rpc,
    primary,
    standby,
    standbyUrl: env.DATABASE_READ_URL,
    async stop() {
      await rpc.close();
      await connection.close();
      await backEnd.stop();
      await Promise.all([primary.close(), standby?.close()]);
    },
  };
}
