import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { normalizeEmail } from '@gatehouse/protocol';

const VERSION = 'v1';
const IV_BYTES = 12;

/** A key's public name: stored next to each sealed secret, so the right key (or a missing one) is known without trying. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('gatehouse mfa key id\0').update(key).digest('hex').slice(0, 16);
}

/** MFA_ENCRYPTION_KEY as bytes: 32, written as 64 hex digits or as base64. Throws on anything else. */
export function parseMfaKey(text: string): Buffer {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  // 43 base64 characters and one pad are exactly 32 bytes; anything else is a typo, not a key.
  if (/^[A-Za-z0-9+/]{43}=?$/.test(trimmed)) return Buffer.from(trimmed, 'base64');
  throw new Error('must be 32 random bytes, as 64 hex digits or 44 characters of base64 (openssl rand -base64 32)');
}

/**
 * TOTP secrets sealed with AES-256-GCM under MFA_ENCRYPTION_KEY, bound to their account (the
 * normalized email is the additional data, so a sealed secret copied to another row does not
 * open). New secrets use the current key; secrets under a previous key still open, until
 * `npm run accounts -- rotate-mfa-key` re-seals them.
 */
export class MfaKeyring {
  readonly currentId: string;
  readonly #keys = new Map<string, Buffer>();

  constructor(current: Buffer, previous: readonly Buffer[] = []) {
    this.currentId = keyIdOf(current);
    for (const key of [current, ...previous]) this.#keys.set(keyIdOf(key), key);
  }

  has(keyId: string): boolean {
    return this.#keys.has(keyId);
  }

  seal(secret: string, email: string): { box: string; keyId: string } {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#keys.get(this.currentId)!, iv);
    cipher.setAAD(Buffer.from(normalizeEmail(email)));
    const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    const parts = [VERSION, this.currentId, iv.toString('base64url'), sealed.toString('base64url'), cipher.getAuthTag().toString('base64url')];
    return { box: parts.join(':'), keyId: this.currentId };
  }

  /** The secret; throws if the box was altered, belongs to another account, or its key is not here. */
  open(box: string, email: string): string {
    const [version, keyId, iv, sealed, tag] = box.split(':');
    const key = keyId === undefined ? undefined : this.#keys.get(keyId);
    if (version !== VERSION || !key || !iv || !sealed || !tag) throw new Error(`cannot open a TOTP secret sealed under key ${keyId ?? '?'}`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(normalizeEmail(email)));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]).toString('utf8');
  }
}
