import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The embedded mode needs no setup, so it makes its own session secret on first start and
 * keeps it (readable by this user only) so logins survive a restart.
 */
export function loadOrCreateSessionSecret(dataDir: string): Promise<string> {
  return loadOrCreateSecret(dataDir, 'session-secret', 'base64url');
}

/**
 * The same for MFA_ENCRYPTION_KEY (TOTP secrets), so two-step login works in npm start as well.
 * Losing the file loses every TOTP secret of this data folder, as losing the key would.
 */
export function loadOrCreateMfaKey(dataDir: string): Promise<string> {
  return loadOrCreateSecret(dataDir, 'mfa-key', 'hex');
}

async function loadOrCreateSecret(dataDir: string, name: string, encoding: 'base64url' | 'hex'): Promise<string> {
  const file = join(dataDir, name);
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = randomBytes(32).toString(encoding);
  await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return secret;
}
