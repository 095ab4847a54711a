import { z } from 'zod';

/** A bad environment: the message lists every offending variable, so one restart fixes all. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses `env` with `schema`, or throws a ConfigError naming each bad variable and why. */
export function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>, service: string): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${String(issue.path[0] ?? '(environment)')}: ${issue.message}`);
  throw new ConfigError(`Invalid ${service} configuration:\n${lines.join('\n')}`);
}

/** Reusable field types for env schemas. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  /** A comma-separated list of AMQP URLs, one per broker node. */
  amqpUrls: () =>
    z
      .string({ error: 'is required (e.g. amqp://user:password@127.0.0.1:5672)' })
      .transform((value) => value.split(',').map((s) => s.trim()).filter(Boolean))
      .pipe(z.array(z.url({ protocol: /^amqps?$/, error: 'must be amqp:// or amqps:// URLs' })).min(1, 'names no broker')),
  postgresUrl: () =>
    z
      .string({ error: 'is required (e.g. postgres://user:password@127.0.0.1:5432/gatehouse)' })
      .pipe(z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' })),
  queueMode: () => z.enum(['quorum', 'textbook']).default('quorum'),
  queueName: () => z.string().regex(/^[\w.:-]{1,255}$/, 'must be 1-255 letters, digits, or . _ : -').default('request'),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  boolean: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .optional()
      .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes'].includes(v))),
};
