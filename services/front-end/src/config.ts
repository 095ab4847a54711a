import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { env, parseEnv, type LogLevel, type QueueMode } from '@gatehouse/runtime';
import { MAX_ARGON2_COST } from '@gatehouse/protocol';
import { DEFAULT_HASH_CONCURRENCY, DEFAULT_HASH_QUEUE_MAX, MAX_HASH_CONCURRENCY } from './passwords/hash-limiter.js';
import type { HashingSettings } from './passwords/hasher.js';
import type { Argon2Params } from './passwords/password.js';
import { trustProxySetting, type TrustProxy } from './http/trust-proxy.js';

export type { LogLevel, QueueMode };

/**
 * Where sessions live: `back-end` (PostgreSQL, through the Back End's session actions) or
 * `cookie` (an encrypted cookie, for a Back End that knows only REGISTER and GETHASH, as the
 * textbook's; see session-mode.ts).
 */
export const SESSION_STORES = ['back-end', 'cookie'] as const;
export type SessionStoreKind = (typeof SESSION_STORES)[number];

/**
 * EMAIL_VERIFICATION: `off` sends no link; `optional` sends one at registration and shows
 * logged-in users a notice until they click it; `required` also refuses the login until then.
 */
export const EMAIL_VERIFICATION_MODES = ['off', 'optional', 'required'] as const;
export type EmailVerificationMode = (typeof EMAIL_VERIFICATION_MODES)[number];

/** PEM certificate chain and private key, read at start-up. */
export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

export interface FrontEndConfig {
  port: number;
  host: string;
  /** One or more broker URLs; the messaging package fails over between them. */
  amqpUrls: string[];
  requestQueue: string;
  queueMode: QueueMode;
  rpcTimeoutMs: number;
  /** High-entropy secret the cookie-signing key is derived from (see sessions.ts). */
  sessionSecret: string;
  /** Which proxies' X-Forwarded-For to believe (trust-proxy.ts); never every hop. */
  trustProxy: TrustProxy;
  logLevel: LogLevel;
  /** argon2id cost for new hashes; older hashes are upgraded at the next successful login. */
  argon2: Argon2Params;
  /** argon2 runs at once, how long and how many may wait (beyond: 503), and the most a stored hash may cost. */
  hashing: HashingSettings;
  /** The session cookie's Max-Age; the Back End enforces the same limit on its side. */
  sessionAbsoluteHours: number;
  /** Where sessions live (SESSION_STORE). */
  sessionStore: SessionStoreKind;
  /** EMAIL_VERIFICATION; with SESSION_STORE=cookie it can only be `off` or `optional` (which then acts as `off`). */
  emailVerification: EmailVerificationMode;
  /** Inactivity that ends a session: the cookie store enforces it (the Back End has its own setting). */
  sessionIdleMinutes: number;
  /** Login and register POSTs allowed per client IP per minute (per replica). */
  rateLimitPerMinute: number;
  /** Set when the Front End serves HTTPS itself; undefined for plain HTTP. */
  tls?: TlsFiles | undefined;
  /** Cookies carry Secure and the __Host- prefix. Always true with `tls`; by default in production. */
  secureCookies: boolean;
  /** After SIGTERM, how long /readyz fails while requests are still served (main.ts). */
  shutdownDrainMs: number;
  /** Opens /metrics and /status to operators who present it; unset, those pages do not exist. */
  adminToken?: string | undefined;
  /** RabbitMQ's management API and a monitoring user, for /status's broker section; unset, that section says so. */
  brokerManagement?: BrokerManagement | undefined;
}

export interface BrokerManagement {
  /** One base URL per broker node (http://host:15672); the first that answers is used. */
  urls: string[];
  user: string;
  password: string;
}

/** The security and shutdown settings' defaults, for callers that build a FrontEndConfig in code. */
export const FRONT_END_DEFAULTS = {
  argon2: { memoryKib: 19456, timeCost: 2, parallelism: 1 },
  hashing: { concurrency: DEFAULT_HASH_CONCURRENCY, maxQueue: DEFAULT_HASH_QUEUE_MAX, caps: MAX_ARGON2_COST, ...hashWaits(5000) },
  sessionAbsoluteHours: 12,
  sessionStore: 'back-end',
  emailVerification: 'optional',
  sessionIdleMinutes: 30,
  rateLimitPerMinute: 20,
  secureCookies: false,
  shutdownDrainMs: 5000,
} as const satisfies Partial<FrontEndConfig>;

/**
 * The expected wait a hash is admitted with (HASH_WAIT_BUDGET_MS, by default 70% of the RPC
 * timeout: 128 users at once keep about 2 s of hashes queued on two cores, and the estimate moves
 * by a quarter either way, so half the timeout shed real bursts), and the wait after which a
 * queued hash is refused instead of run: half as long again, but half a second inside the RPC
 * timeout, so a shed answer comes before the caller gives up.
 */
export function hashWaits(rpcTimeoutMs: number, budgetMs = Math.floor(rpcTimeoutMs * 0.7)): { waitBudgetMs: number; maxWaitMs: number } {
  return { waitBudgetMs: budgetMs, maxWaitMs: Math.min(Math.floor(budgetMs * 1.5), Math.max(budgetMs, rpcTimeoutMs - 500)) };
}

/** The shortest admin token accepted: it guards operator pages on the public port. */
export const ADMIN_TOKEN_MIN_LENGTH = 24;

/** A file read once at start-up; an unreadable one is a config error naming the variable. */
const readableFile = () =>
  z.string().transform((path, ctx) => {
    try {
      return readFileSync(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
      ctx.addIssue({ code: 'custom', message: `cannot be read (${code})` });
      return z.NEVER;
    }
  });

/** Each cost setting and the cap it must stay within. */
const ARGON2_CAPPED = [
  ['ARGON2_MEMORY_KIB', 'ARGON2_MAX_MEMORY_KIB'],
  ['ARGON2_TIME_COST', 'ARGON2_MAX_TIME_COST'],
  ['ARGON2_PARALLELISM', 'ARGON2_MAX_PARALLELISM'],
] as const;

const fields = {
  PORT: env.port(3000),
  HOST: z.string().default('127.0.0.1'),
  AMQP_URL: env.amqpUrls(),
  REQUEST_QUEUE: env.queueName(),
  REQUEST_QUEUE_MODE: env.queueMode(),
  RPC_TIMEOUT_MS: env.integer(1, 600_000, 5000),
  SESSION_SECRET: env.secret(32),
  TRUST_PROXY: trustProxySetting(),
  LOG_LEVEL: env.logLevel(),
  // OWASP's weakest listed argon2id memory is 7 MiB; above 1 GiB one login could exhaust a pod.
  ARGON2_MEMORY_KIB: env.integer(7168, 1_048_576, FRONT_END_DEFAULTS.argon2.memoryKib),
  ARGON2_TIME_COST: env.integer(1, 20, FRONT_END_DEFAULTS.argon2.timeCost),
  ARGON2_PARALLELISM: env.integer(1, 16, FRONT_END_DEFAULTS.argon2.parallelism),
  // Caps for stored hashes; the Back End stores none above MAX_ARGON2_COST, so they can only go lower.
  ARGON2_MAX_MEMORY_KIB: env.integer(7168, MAX_ARGON2_COST.memoryKib, MAX_ARGON2_COST.memoryKib),
  ARGON2_MAX_TIME_COST: env.integer(1, MAX_ARGON2_COST.timeCost, MAX_ARGON2_COST.timeCost),
  ARGON2_MAX_PARALLELISM: env.integer(1, MAX_ARGON2_COST.parallelism, MAX_ARGON2_COST.parallelism),
  HASH_CONCURRENCY: env.integer(1, MAX_HASH_CONCURRENCY, FRONT_END_DEFAULTS.hashing.concurrency),
  HASH_QUEUE_MAX: env.integer(0, 10_000, FRONT_END_DEFAULTS.hashing.maxQueue),
  // Unset: 70% of the RPC timeout, leaving the rest to the look-up, the hash and the reply.
  HASH_WAIT_BUDGET_MS: env.optionalInteger(1, 600_000),
  SESSION_ABSOLUTE_HOURS: env.integer(1, 30 * 24, FRONT_END_DEFAULTS.sessionAbsoluteHours),
  SESSION_STORE: z.enum(SESSION_STORES, { error: 'must be "back-end" or "cookie"' }).default(FRONT_END_DEFAULTS.sessionStore),
  EMAIL_VERIFICATION: z.enum(EMAIL_VERIFICATION_MODES, { error: 'must be "off", "optional" or "required"' }).default(FRONT_END_DEFAULTS.emailVerification),
  // The Back End's own setting, with the same bounds; read here only by the cookie store.
  SESSION_IDLE_MINUTES: env.integer(1, 7 * 24 * 60, FRONT_END_DEFAULTS.sessionIdleMinutes),
  RATE_LIMIT_PER_MINUTE: env.integer(1, 100_000, FRONT_END_DEFAULTS.rateLimitPerMinute),
  TLS_CERT_FILE: readableFile().optional(),
  TLS_KEY_FILE: readableFile().optional(),
  // Unset, it follows NODE_ENV: a production deployment must not send cookies over plain HTTP.
  COOKIE_SECURE: env.boolean(false).unwrap().optional(),
  NODE_ENV: z.string().optional(),
  SHUTDOWN_DRAIN_MS: env.integer(0, 300_000, FRONT_END_DEFAULTS.shutdownDrainMs),
  RABBITMQ_MANAGEMENT_URL: z
    .string()
    .transform((value) => value.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.url({ protocol: /^https?$/, error: 'entries must be http:// or https:// URLs' })).min(1, 'names no URL'))
    .optional(),
  RABBITMQ_MONITOR_USER: z.string().optional(),
  RABBITMQ_MONITOR_PASSWORD: z.string().optional(),
  ADMIN_TOKEN: z.string().min(ADMIN_TOKEN_MIN_LENGTH, `must be at least ${ADMIN_TOKEN_MIN_LENGTH} characters (e.g. openssl rand -hex 24)`).optional(),
};

type FieldValues = z.infer<z.ZodObject<typeof fields>>;

/** TLS needs both files; runs even when other variables are bad, so one start names every problem. */
function tlsPair(e: Pick<FieldValues, 'TLS_CERT_FILE' | 'TLS_KEY_FILE'>, ctx: z.RefinementCtx): void {
  if ((e.TLS_CERT_FILE === undefined) === (e.TLS_KEY_FILE === undefined)) return;
  const [missing, given] = e.TLS_CERT_FILE === undefined ? ['TLS_CERT_FILE', 'TLS_KEY_FILE'] : ['TLS_KEY_FILE', 'TLS_CERT_FILE'];
  ctx.addIssue({ code: 'custom', path: [missing], message: `is required when ${given} is set (set both or neither)` });
}

const MANAGEMENT_TRIO = ['RABBITMQ_MANAGEMENT_URL', 'RABBITMQ_MONITOR_USER', 'RABBITMQ_MONITOR_PASSWORD'] as const;

/** The management API needs its URL and both credentials, or none of the three (no defaults). */
function managementTrio(e: Partial<Record<(typeof MANAGEMENT_TRIO)[number], unknown>>, ctx: z.RefinementCtx): void {
  const given = MANAGEMENT_TRIO.filter((name) => e[name] !== undefined);
  if (given.length === 0 || given.length === MANAGEMENT_TRIO.length) return;
  for (const name of MANAGEMENT_TRIO.filter((n) => e[n] === undefined)) {
    ctx.addIssue({ code: 'custom', path: [name], message: `is required when ${given.join(' and ')} ${given.length > 1 ? 'are' : 'is'} set (set all three or none)` });
  }
}

/** Only once every value is valid, so a bad one is named once, for itself. */
function settingsAgree(e: FieldValues, ctx: z.RefinementCtx): void {
  for (const [cost, cap] of ARGON2_CAPPED) {
    if (e[cost] > e[cap]) ctx.addIssue({ code: 'custom', path: [cost], message: `is above ${cap} (${e[cap]}): new hashes would never verify` });
  }
  // Links need the Back End's actions, which a textbook Back End (the cookie store's) lacks.
  if (e.EMAIL_VERIFICATION === 'required' && e.SESSION_STORE === 'cookie') {
    ctx.addIssue({ code: 'custom', path: ['EMAIL_VERIFICATION'], message: 'cannot be "required" with SESSION_STORE=cookie: verification links need the Back End to keep sessions' });
  }
  if (e.HASH_WAIT_BUDGET_MS !== undefined && e.HASH_WAIT_BUDGET_MS >= e.RPC_TIMEOUT_MS) {
    ctx.addIssue({ code: 'custom', path: ['HASH_WAIT_BUDGET_MS'], message: `must be below RPC_TIMEOUT_MS (${e.RPC_TIMEOUT_MS}): a request waiting that long is answered after its caller gave up` });
  }
}

// Both schemas share the fields' types apart from optionality, which neither check reads.
const checked = <S extends z.ZodRawShape>(shape: S) =>
  z
    .object(shape)
    .superRefine((e, ctx) => tlsPair(e as unknown as FieldValues, ctx), { when: () => true })
    .superRefine((e, ctx) => managementTrio(e as unknown as FieldValues, ctx), { when: () => true })
    .superRefine((e, ctx) => settingsAgree(e as unknown as FieldValues, ctx), { when: (payload) => payload.issues.length === 0 });

const schema = checked(fields);
// npm start: no broker means the in-process transport; no secret means one kept in DATA_DIR.
const embeddedSchema = checked({ ...fields, AMQP_URL: fields.AMQP_URL.optional(), SESSION_SECRET: fields.SESSION_SECRET.optional() });

/** Every variable the Front End reads (the local cluster passes these through). */
export const FRONT_END_VARIABLES = Object.keys(fields);

/** Reads the Front End's settings; throws ConfigError naming every bad variable. */
export function loadFrontEndConfig(source: Record<string, string | undefined> = process.env): FrontEndConfig {
  const config = toConfig(parseEnv(schema, source, 'Front End'));
  return { ...config, sessionSecret: config.sessionSecret! };
}

/** The Front End's settings inside `npm start`, where AMQP_URL (empty: in-process) and SESSION_SECRET may be unset. */
export type EmbeddedFrontEndConfig = Omit<FrontEndConfig, 'sessionSecret'> & { sessionSecret?: string | undefined };

/** As loadFrontEndConfig, for `npm start`: the same variables, the same checks, two of them optional. */
export function loadEmbeddedFrontEndConfig(source: Record<string, string | undefined> = process.env): EmbeddedFrontEndConfig {
  return toConfig(parseEnv(embeddedSchema, source, 'Front End'));
}

type EmbeddedValues = z.infer<typeof embeddedSchema>;

function toConfig(e: EmbeddedValues): EmbeddedFrontEndConfig {
  const tls = e.TLS_CERT_FILE && e.TLS_KEY_FILE ? { cert: e.TLS_CERT_FILE, key: e.TLS_KEY_FILE } : undefined;
  return {
    port: e.PORT,
    host: e.HOST,
    amqpUrls: e.AMQP_URL ?? [],
    requestQueue: e.REQUEST_QUEUE,
    queueMode: e.REQUEST_QUEUE_MODE,
    rpcTimeoutMs: e.RPC_TIMEOUT_MS,
    sessionSecret: e.SESSION_SECRET,
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    argon2: { memoryKib: e.ARGON2_MEMORY_KIB, timeCost: e.ARGON2_TIME_COST, parallelism: e.ARGON2_PARALLELISM },
    hashing: {
      concurrency: e.HASH_CONCURRENCY,
      maxQueue: e.HASH_QUEUE_MAX,
      ...hashWaits(e.RPC_TIMEOUT_MS, e.HASH_WAIT_BUDGET_MS),
      caps: { memoryKib: e.ARGON2_MAX_MEMORY_KIB, timeCost: e.ARGON2_MAX_TIME_COST, parallelism: e.ARGON2_MAX_PARALLELISM },
    },
    sessionAbsoluteHours: e.SESSION_ABSOLUTE_HOURS,
    sessionStore: e.SESSION_STORE,
    emailVerification: e.EMAIL_VERIFICATION,
    sessionIdleMinutes: e.SESSION_IDLE_MINUTES,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    tls,
    secureCookies: tls !== undefined || (e.COOKIE_SECURE ?? e.NODE_ENV === 'production'),
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
    adminToken: e.ADMIN_TOKEN,
    brokerManagement:
      e.RABBITMQ_MANAGEMENT_URL && e.RABBITMQ_MONITOR_USER && e.RABBITMQ_MONITOR_PASSWORD
        ? { urls: e.RABBITMQ_MANAGEMENT_URL, user: e.RABBITMQ_MONITOR_USER, password: e.RABBITMQ_MONITOR_PASSWORD }
        : undefined,
  };
}
