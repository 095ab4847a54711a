import { parseArgs } from 'node:util';
import { z } from 'zod';
import { emailSchema } from '@gatehouse/protocol';
import { connectDatabase, recentEvents, type AuditRow } from '@gatehouse/database';
import { env, parseEnv } from '@gatehouse/runtime';

export const USAGE = `Usage: npm run audit -- [--email <address>] [--limit <1-1000>] [--json]

Prints the newest authentication events (register, login_success, login_failure,
lockout, logout, logout_everywhere), newest first. Reads DATABASE_READ_URL, or DATABASE_URL.`;

const argsSchema = z.object({
  email: emailSchema.optional(),
  limit: z
    .string()
    .regex(/^\d+$/, '--limit must be a whole number')
    .transform(Number)
    .pipe(z.number().min(1, '--limit must be between 1 and 1000').max(1000, '--limit must be between 1 and 1000'))
    .default(50),
  json: z.boolean().default(false),
  help: z.boolean().default(false),
});

const envSchema = z.object({ DATABASE_URL: env.postgresUrl(), DATABASE_READ_URL: env.postgresUrl().optional() });

/** Parses the command line; throws an Error whose message is meant for the user. */
export function parseAuditArgs(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: { email: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: false,
  });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
  return parsed.data;
}

export function formatEvents(rows: AuditRow[]): string {
  if (rows.length === 0) return 'No events.';
  return rows
    .map((r) => [r.at.toISOString(), r.event.padEnd(17), r.email, r.ip ?? '-', JSON.stringify(r.user_agent ?? '-')].join('  '))
    .join('\n');
}

/**
 * `npm run audit`'s work: parse `argv`, print the events. Reads DATABASE_READ_URL or
 * DATABASE_URL unless `databaseUrl` is given (npm start's embedded database). Returns the exit code.
 */
export async function runAudit(argv: string[], databaseUrl?: string, usage = USAGE): Promise<number> {
  let args;
  try {
    args = parseAuditArgs(argv);
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${usage}`);
    return 2;
  }
  if (args.help) return console.log(usage), 0;
  const url = databaseUrl ?? readUrlFromEnv();
  const db = connectDatabase({ url, max: 1 });
  try {
    const rows = await recentEvents(db.readOnly, { email: args.email, limit: args.limit });
    console.log(args.json ? JSON.stringify(rows) : formatEvents(rows));
    return 0;
  } finally {
    await db.close();
  }
}

function readUrlFromEnv(): string {
  const config = parseEnv(envSchema, process.env, 'audit');
  return config.DATABASE_READ_URL ?? config.DATABASE_URL;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runAudit(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`audit: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
