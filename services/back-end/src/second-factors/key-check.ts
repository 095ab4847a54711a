import { totpKeyIds, type Database } from '@gatehouse/database';
import type { MfaKeyring } from './secret-box.js';

/**
 * At start-up: every stored TOTP secret must open with the keys this Back End was given. A
 * missing or wrong MFA_ENCRYPTION_KEY would otherwise lock every TOTP user out at their next
 * login, one confusing failure at a time; this stops the start with one clear error instead.
 */
export async function checkMfaKeys(db: Database, keys: MfaKeyring | undefined): Promise<void> {
  const ids = await db.primary((sql) => totpKeyIds(sql));
  const total = [...ids.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return;
  if (!keys) {
    throw new Error(`MFA_ENCRYPTION_KEY is not set, but ${total} account(s) have TOTP secrets sealed with it: set the key they were sealed with (docs/security.md, "Second factors")`);
  }
  const unknown = [...ids].filter(([id]) => !keys.has(id));
  if (unknown.length > 0) {
    const which = unknown.map(([id, n]) => `${n} under key ${id}`).join(', ');
    throw new Error(`MFA_ENCRYPTION_KEY (key ${keys.currentId}) cannot open stored TOTP secrets (${which}): set the key they were sealed with, or add it to MFA_ENCRYPTION_KEY_PREVIOUS`);
  }
}
