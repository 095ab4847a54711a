import { parseArgs } from 'node:util';
import { z } from 'zod';
import { emailSchema } from '@gatehouse/protocol';
import { connectDatabase, recentEvents, type AuditRow } from '@gatehouse/database';
import { env, parseEnv } from '@gatehouse/runtime';

const USAGE = `Usage: npm run audit -- [--email <address>] [--limit <1-1000>] [--json]

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

async function main(): Promise<number> {
  let args;
  try {
    args = parseAuditArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) return console.log(USAGE), 0;
  const config = parseEnv(envSchema, process.env, 'audit');
  const db = connectDatabase({ url: config.DATABASE_READ_URL ?? config.DATABASE_URL, max: 1 });
  try {
    const rows = await recentEvents(db.readOnly, { email: args.email, limit: args.limit });
    console.log(args.json ? JSON.stringify(rows) : formatEvents(rows));
    return 0;
  } finally {
    await db.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(`audit: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
