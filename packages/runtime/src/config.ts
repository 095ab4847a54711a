import { z } from 'zod';

/** A bad environment. `problems` names every offending variable, so one restart fixes all. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(service: string, readonly problems: string[]) {
    super(`Invalid ${service} configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Parses `source` with `schema`, or throws a ConfigError. Messages name the variable but
 * never echo its value, because URLs and secrets carry credentials. `FOO=` counts as unset.
 */
export function parseEnv<S extends z.ZodType>(schema: S, source: Record<string, string | undefined>, service: string): z.infer<S> {
  const set = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const result = schema.safeParse(set);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${String(issue.path[0] ?? '(environment)')}: ${issue.message}`);
  throw new ConfigError(service, [...new Set(problems)]);
}

const wholeNumberIn = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number between ${min} and ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const wholeNumber = (min: number, max: number, fallback: number) => wholeNumberIn(min, max).default(fallback);

/** Passwords that ship as defaults somewhere (RabbitMQ, PostgreSQL images, tutorials, our own examples). */
const KNOWN_DEFAULT_PASSWORDS = new Set(
  ['guest', 'changeme', 'change_me', 'change-me', 'password', 'admin', 'rabbitmq', 'postgres', 'root', 'secret', 'default', '123456', 'test'],
);

/** Why a URL's credentials are unacceptable outside the embedded mode, or undefined when they are fine. */
export function credentialProblem(url: string): string | undefined {
  const raw = new URL(url).password;
  let password = raw;
  try {
    password = decodeURIComponent(raw);
  } catch {
    // A malformed escape is still a password; judge it as written.
  }
  if (password === '') return 'has no password (set one; default and empty credentials are refused)';
  if (KNOWN_DEFAULT_PASSWORDS.has(password.toLowerCase())) return 'uses a well-known default password; set a real secret';
  return undefined;
}

const withRealPassword = (url: string, ctx: z.RefinementCtx) => {
  if (!URL.canParse(url)) return; // the URL check itself has said what is wrong
  const problem = credentialProblem(url);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
};

/** How the request queue is declared (docs/protocol.md#queue-modes); shared by every tier. */
export const QUEUE_MODES = ['quorum', 'textbook'] as const;
export type QueueMode = (typeof QUEUE_MODES)[number];

/** pino's levels, plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Field types shared by the services' env schemas. */
export const env = {
  port: (fallback: number) => wholeNumber(1, 65535, fallback),
  /** A port that may be left unset, for a listener that is off unless asked for. */
  optionalPort: () => wholeNumberIn(1, 65535).optional(),
  integer: wholeNumber,
  /** A whole number that may be left unset, for a default that depends on another setting. */
  optionalInteger: (min: number, max: number) => wholeNumberIn(min, max).optional(),
  /** A comma-separated list of AMQP URLs, one per broker node. */
  amqpUrls: () =>
    z
      .string({ error: 'is required (one amqp:// URL or a comma-separated list)' })
      .transform((value) => value.split(',').map((s) => s.trim()).filter(Boolean))
      .pipe(
        z
          .array(z.url({ protocol: /^amqps?$/, error: 'entries must be amqp:// or amqps:// URLs' }).superRefine(withRealPassword))
          .min(1, 'names no broker'),
      ),
  postgresUrl: () =>
    z
      .string({ error: 'is required (e.g. postgres://user:password@127.0.0.1:5432/gatehouse)' })
      .pipe(z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }).superRefine(withRealPassword)),
  queueMode: () => z.enum(QUEUE_MODES, { error: 'must be "quorum" or "textbook"' }).default('quorum'),
  queueName: (fallback = 'request') => z.string().regex(/^[\w.:-]{1,255}$/, 'must be 1-255 letters, digits, or . _ : -').default(fallback),
  logLevel: () =>
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  boolean: (fallback: boolean) =>
    z
      .string()
      .transform((v) => v.trim().toLowerCase())
      .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' }))
      .transform((v) => ['true', '1', 'yes'].includes(v))
      .default(fallback),
  secret: (minLength: number) =>
    z.string({ error: `is required (at least ${minLength} random characters)` }).min(minLength, `must be at least ${minLength} characters`),
};
