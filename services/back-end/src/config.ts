import { z } from 'zod';
import { env, parseEnv } from '@gatehouse/runtime';

const schema = z.object({
  AMQP_URL: env.amqpUrls(),
  DATABASE_URL: env.postgresUrl(),
  DATABASE_READ_URL: env.postgresUrl().optional(),
  REQUEST_QUEUE: env.queueName(),
  REQUEST_QUEUE_MODE: env.queueMode(),
  PREFETCH: env.integer(1, 1000, 16),
  DATABASE_POOL_SIZE: env.integer(1, 100, 10),
  QUERY_TIMEOUT_MS: env.integer(100, 600_000, 5000),
  LOG_LEVEL: env.logLevel(),
});

export interface BackEndConfig {
  amqpUrls: string[];
  databaseUrl: string;
  databaseReadUrl: string;
  requestQueue: string;
  queueMode: 'quorum' | 'textbook';
  prefetch: number;
  databasePoolSize: number;
  queryTimeoutMs: number;
  logLevel: string;
}

/** The Back End's whole configuration, from the environment. Throws ConfigError listing every problem. */
export function loadBackEndConfig(source: Record<string, string | undefined> = process.env): BackEndConfig {
  const e = parseEnv(schema, source, 'Back End');
  return {
    amqpUrls: e.AMQP_URL,
    databaseUrl: e.DATABASE_URL,
    databaseReadUrl: e.DATABASE_READ_URL ?? e.DATABASE_URL,
    requestQueue: e.REQUEST_QUEUE,
    queueMode: e.REQUEST_QUEUE_MODE,
    prefetch: e.PREFETCH,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    queryTimeoutMs: e.QUERY_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
  };
}
