import { z } from 'zod';
import { env, parseEnv } from '@gatehouse/runtime';

const schema = z.object({
  PORT: env.port(3000),
  HOST: z.string().default('127.0.0.1'),
  DATA_DIR: z.string().default('data'),
  AMQP_URL: env.amqpUrls().optional(),
  DATABASE_URL: env.postgresUrl().optional(),
  DATABASE_READ_URL: env.postgresUrl().optional(),
  REQUEST_QUEUE: env.queueName(),
  REQUEST_QUEUE_MODE: env.queueMode(),
  RPC_TIMEOUT_MS: env.integer(1, 600_000, 5000),
  SESSION_SECRET: env.secret(32).optional(),
  AUDIT_RETENTION_DAYS: env.integer(1, 36_500, 90),
  LOG_LEVEL: env.logLevel(),
});

export type AllInOneConfig = z.infer<typeof schema>;

/**
 * `npm start`'s settings. Everything is optional: with no AMQP_URL the tiers talk in-process,
 * with no DATABASE_URL PostgreSQL is embedded under DATA_DIR.
 */
export function loadAllInOneConfig(source: Record<string, string | undefined> = process.env): AllInOneConfig {
  return parseEnv(schema, source, 'Gatehouse');
}
