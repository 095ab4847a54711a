import { z } from 'zod';
import { env, parseEnv, type LogLevel, type QueueMode } from '@gatehouse/runtime';
import type { HandlerPolicies } from './handlers/index.js';
import { MfaKeyring, parseMfaKey } from './second-factors/secret-box.js';
import { webauthnFields, webauthnProblem, webauthnSettings } from './passkeys/webauthn-settings.js';

function mfaKey() {
  return z.string().transform((value, ctx) => {
    try {
      return parseMfaKey(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });
}

/** A comma-separated list of http(s) URLs: Patroni's REST APIs, etcd's members. */
const httpUrlList = () =>
  z
    .string()
    .transform((value) => value.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.url({ protocol: /^https?$/, error: 'entries must be http:// or https:// URLs' })))
    .optional();

const fields = {
  AMQP_URL: env.amqpUrls(),
  DATABASE_URL: env.postgresUrl(),
  DATABASE_READ_URL: env.postgresUrl().optional(),
  REQUEST_QUEUE: env.queueName(),
  REQUEST_QUEUE_MODE: env.queueMode(),
  // 64, measured: 64 RPCs in flight ran 60-80% faster than at 16, which left requests waiting on the broker.
  PREFETCH: env.integer(1, 1000, 64),
  DATABASE_POOL_SIZE: env.integer(1, 100, 10),
  QUERY_TIMEOUT_MS: env.integer(100, 600_000, 5000),
  DATABASE_MAX_LIFETIME_SECONDS: env.integer(10, 86_400, 300),
  SESSION_IDLE_MINUTES: env.integer(1, 7 * 24 * 60, 30),
  SESSION_ABSOLUTE_HOURS: env.integer(1, 30 * 24, 12),
  LOCKOUT_THRESHOLD: env.integer(1, 1000, 5),
  LOCKOUT_BASE_SECONDS: env.integer(1, 86_400, 60),
  LOCKOUT_MAX_MINUTES: env.integer(1, 7 * 24 * 60, 15),
  LOCKOUT_RESET_MINUTES: env.integer(1, 30 * 24 * 60, 720),
  AUDIT_RETENTION_DAYS: env.integer(1, 36_500, 90),
  RESET_LINK_MINUTES: env.integer(5, 24 * 60, 30),
  RESET_MAILS_PER_HOUR: env.integer(1, 100, 3),
  // A verification link may sit in an inbox over a weekend; at most a week.
  VERIFY_LINK_HOURS: env.integer(1, 7 * 24, 24),
  VERIFY_MAILS_PER_HOUR: env.integer(1, 100, 3),
  // Where the outbox's mails go: the queue the Mailers consume (services/mailer).
  MAIL_QUEUE: env.queueName('mail'),
  // Seals TOTP secrets (AES-256-GCM): 32 random bytes, hex or base64. _PREVIOUS: comma-separated
  // older keys that still open secrets until `npm run accounts -- rotate-mfa-key` re-seals them.
  MFA_ENCRYPTION_KEY: mfaKey().optional(),
  MFA_ENCRYPTION_KEY_PREVIOUS: z.string().transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean)).pipe(z.array(mfaKey())).optional(),
  // Passkeys: the relying party (defaults from PUBLIC_URL, the address users open); unset, no passkeys.
  ...webauthnFields,
  LOG_LEVEL: env.logLevel(),
  // Off unless set: several Back Ends on one host would otherwise fight over one port.
  HEALTH_PORT: env.optionalPort(),
  HEALTH_HOST: z.string().default('127.0.0.1'),
  // For SYSTEM_STATUS (the Front End's /status): where a Patroni cluster's REST APIs answer.
  PATRONI_URLS: httpUrlList(),
  // Also for /status: the etcd members Patroni uses, and HAProxy's stats page (user:password@ allowed).
  ETCD_URLS: httpUrlList(),
  HAPROXY_STATS_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
};
/** Settings that are only wrong together (webauthn-settings.ts). */
const consistent = (e: Parameters<typeof webauthnProblem>[0], ctx: z.RefinementCtx) => {
  const problem = webauthnProblem(e);
  if (problem) ctx.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
};
const schema = z.object(fields).superRefine(consistent);
// npm start: no broker means the in-process transport; no database URL means embedded PostgreSQL.
const embeddedSchema = z.object({ ...fields, AMQP_URL: fields.AMQP_URL.optional(), DATABASE_URL: fields.DATABASE_URL.optional() }).superRefine(consistent);

/** Every variable the Back End reads (the local cluster passes these through). */
export const BACK_END_VARIABLES = Object.keys(fields);

export interface BackEndConfig {
  amqpUrls: string[];
  databaseUrl: string;
  databaseReadUrl: string;
  requestQueue: string;
  queueMode: QueueMode;
  prefetch: number;
  databasePoolSize: number;
  queryTimeoutMs: number;
  /** Database connections are replaced after this long (optional: defaults in connectDatabase). */
  databaseMaxLifetimeSeconds?: number;
  logLevel: LogLevel;
  policies: HandlerPolicies;
  /** The queue outbox mails are published to (quorum mode: with dead letters, like the request queue). */
  mailQueue: string;
  /** auth_events are deleted after this many days (optional: defaults in housekeeping). */
  auditRetentionDays?: number;
  /** Where /healthz and /readyz are served; undefined when HEALTH_PORT is unset. */
  health?: { host: string; port: number } | undefined;
  /** Patroni REST API URLs for SYSTEM_STATUS; empty: the topology is read from PostgreSQL. */
  patroniUrls?: string[];
  etcdUrls?: string[];
  haproxyStatsUrl?: string;
}

/** The Back End's whole configuration, from the environment. Throws ConfigError listing every problem. */
export function loadBackEndConfig(source: Record<string, string | undefined> = process.env): BackEndConfig {
  const config = toConfig(parseEnv(schema, source, 'Back End'));
  return { ...config, databaseUrl: config.databaseUrl!, databaseReadUrl: config.databaseReadUrl! };
}

/** The Back End's settings inside `npm start`: AMQP_URL (empty: in-process) and DATABASE_URL (unset: embedded) may be unset. */
export type EmbeddedBackEndConfig = Omit<BackEndConfig, 'databaseUrl' | 'databaseReadUrl'> & { databaseUrl?: string | undefined; databaseReadUrl?: string | undefined };

/** As loadBackEndConfig, for `npm start`: the same variables and checks, two of them optional. */
export function loadEmbeddedBackEndConfig(source: Record<string, string | undefined> = process.env): EmbeddedBackEndConfig {
  return toConfig(parseEnv(embeddedSchema, source, 'Back End'));
}

function toConfig(e: z.infer<typeof embeddedSchema>): EmbeddedBackEndConfig {
  return {
    amqpUrls: e.AMQP_URL ?? [],
    databaseUrl: e.DATABASE_URL,
    databaseReadUrl: e.DATABASE_READ_URL ?? e.DATABASE_URL,
    requestQueue: e.REQUEST_QUEUE,
    mailQueue: e.MAIL_QUEUE,
    queueMode: e.REQUEST_QUEUE_MODE,
    prefetch: e.PREFETCH,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    queryTimeoutMs: e.QUERY_TIMEOUT_MS,
    databaseMaxLifetimeSeconds: e.DATABASE_MAX_LIFETIME_SECONDS,
    logLevel: e.LOG_LEVEL,
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    health: e.HEALTH_PORT === undefined ? undefined : { host: e.HEALTH_HOST, port: e.HEALTH_PORT },
    patroniUrls: e.PATRONI_URLS ?? [],
    etcdUrls: e.ETCD_URLS ?? [],
    haproxyStatsUrl: e.HAPROXY_STATS_URL,
    policies: {
      sessions: { idleTimeoutMs: e.SESSION_IDLE_MINUTES * 60_000, absoluteTimeoutMs: e.SESSION_ABSOLUTE_HOURS * 3_600_000, touchIntervalMs: 60_000 },
      resets: { ttlMinutes: e.RESET_LINK_MINUTES, perAddressPerHour: e.RESET_MAILS_PER_HOUR },
      mfaKeys: e.MFA_ENCRYPTION_KEY ? new MfaKeyring(e.MFA_ENCRYPTION_KEY, e.MFA_ENCRYPTION_KEY_PREVIOUS ?? []) : undefined,
      webauthn: webauthnSettings(e),
      verifications: { ttlHours: e.VERIFY_LINK_HOURS, perAddressPerHour: e.VERIFY_MAILS_PER_HOUR },
      lockout: { threshold: e.LOCKOUT_THRESHOLD, baseDelayMs: e.LOCKOUT_BASE_SECONDS * 1000, maxDelayMs: e.LOCKOUT_MAX_MINUTES * 60_000, resetAfterMs: e.LOCKOUT_RESET_MINUTES * 60_000 },
    },
  };
}
