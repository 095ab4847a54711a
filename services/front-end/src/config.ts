import { z } from 'zod';
import { env, parseEnv } from '@gatehouse/runtime';

export type QueueMode = 'quorum' | 'textbook';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface FrontEndConfig {
  port: number;
  host: string;
  /** One or more broker URLs; the messaging package fails over between them. */
  amqpUrls: string[];
  requestQueue: string;
  queueMode: QueueMode;
  rpcTimeoutMs: number;
  /** High-entropy secret the session cookie key is derived from (see session.ts). */
  sessionSecret: string;
  trustProxy: boolean;
  logLevel: LogLevel;
}

const schema = z.object({
  PORT: env.port(3000),
  HOST: z.string().default('127.0.0.1'),
  AMQP_URL: env.amqpUrls(),
  REQUEST_QUEUE: env.queueName(),
  REQUEST_QUEUE_MODE: env.queueMode(),
  RPC_TIMEOUT_MS: env.integer(1, 600_000, 5000),
  SESSION_SECRET: env.secret(32),
  TRUST_PROXY: env.boolean(false),
  LOG_LEVEL: env.logLevel(),
});

/** Reads the Front End's settings; throws ConfigError naming every bad variable. */
export function loadFrontEndConfig(source: Record<string, string | undefined> = process.env): FrontEndConfig {
  const e = parseEnv(schema, source, 'Front End');
  return {
    port: e.PORT,
    host: e.HOST,
    amqpUrls: e.AMQP_URL,
    requestQueue: e.REQUEST_QUEUE,
    queueMode: e.REQUEST_QUEUE_MODE,
    rpcTimeoutMs: e.RPC_TIMEOUT_MS,
    sessionSecret: e.SESSION_SECRET,
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
  };
}
