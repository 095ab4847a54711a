import { parseArgs } from 'node:util';
import { z } from 'zod';
import { emailSchema } from '@gatehouse/protocol';
import { allTotpSecrets, connectDatabase, recordEvent, removeAllPasskeys, removeSecondFactors, resealTotp, type Database } from '@gatehouse/database';
import { env, parseEnv } from '@gatehouse/runtime';
import { MfaKeyring, parseMfaKey } from './secret-box.js';

export const ACCOUNTS_USAGE = `Usage: npm run accounts -- <command>

  reset-mfa --email <address>   Switches off every second factor of the account (TOTP secret,
                                recovery codes, passkeys, half-done logins): for a user who lost them all,
                                after you checked who they are. Audited as second_factor_reset.
  rotate-mfa-key                Re-seals every TOTP secret under MFA_ENCRYPTION_KEY; the old key
                                must be in MFA_ENCRYPTION_KEY_PREVIOUS (docs/security.md).

Reads DATABASE_URL (the primary).`;

/** Who the audit row names as the client: the operator's command, not a browser. */
const OPERATOR = { userAgent: 'npm run accounts (operator)' };

const envSchema = z.object({ DATABASE_URL: env.postgresUrl() });

/** `reset-mfa`: true when the account had a second factor. */
export async function resetMfa(db: Database, email: string): Promise<boolean> {
  return db.primary((sql) => sql.begin(async (tx) => {
    const hadTotp = await removeSecondFactors(tx, email);
    const passkeys = await removeAllPasskeys(tx, email);
    await recordEvent(tx, 'second_factor_reset', email, OPERATOR);
    return hadTotp || passkeys > 0;
  })) as Promise<boolean>;
}

/** `rotate-mfa-key`: how many secrets were re-sealed under the current key. */
export async function rotateMfaKey(db: Database, keys: MfaKeyring): Promise<number> {
  return db.primary((sql) => sql.begin(async (tx) => {
    let count = 0;
    for (const row of await allTotpSecrets(tx)) {
      if (row.keyId === keys.currentId) continue;
      const { box, keyId } = keys.seal(keys.open(row.secretBox, row.email), row.email);
      await resealTotp(tx, row.email, box, keyId);
      count++;
    }
    return count;
  })) as Promise<number>;
}

/**
 * The command's work; returns the exit code. `databaseUrl` for tests and npm start's embedded
 * database (services/all-in-one/src/accounts-cli.ts), else DATABASE_URL.
 */
export async function runAccounts(
  argv: string[],
  databaseUrl?: string,
  source: Record<string, string | undefined> = process.env,
  usage = ACCOUNTS_USAGE,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { email: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    return console.error(`${(err as Error).message}\n\n${usage}`), 2;
  }
  const { positionals, values } = parsed;
  if (values.help || positionals.length !== 1) return console.log(usage), values.help ? 0 : 2;
  const db = connectDatabase({ url: databaseUrl ?? parseEnv(envSchema, source, 'accounts').DATABASE_URL, max: 1 });
  try {
    if (positionals[0] === 'reset-mfa') {
      const email = emailSchema.safeParse(values.email);
      if (!email.success) return console.error(`reset-mfa needs --email <address>\n\n${usage}`), 2;
      const had = await resetMfa(db, email.data);
      console.log(had ? `Second factors of ${email.data} switched off (audited).` : `${email.data} had no second factor; the reset is audited anyway.`);
      return 0;
    }
    if (positionals[0] === 'rotate-mfa-key') {
      const current = source.MFA_ENCRYPTION_KEY;
      if (!current) return console.error('rotate-mfa-key needs MFA_ENCRYPTION_KEY (the new key)'), 2;
      const previous = (source.MFA_ENCRYPTION_KEY_PREVIOUS ?? '').split(',').map((k) => k.trim()).filter(Boolean).map(parseMfaKey);
      console.log(`Re-sealed ${await rotateMfaKey(db, new MfaKeyring(parseMfaKey(current), previous))} TOTP secret(s) under the current key.`);
      return 0;
    }
    console.error(`Unknown command ${positionals[0]}\n\n${usage}`);
    return 2;
  } finally {
    await db.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runAccounts(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`accounts: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
