import { createHash, randomInt } from 'node:crypto';
import { RECOVERY_CODE_COUNT } from '@gatehouse/protocol';

/** 32 symbols without the look-alikes I, O, 0 and 1: five bits each, easy to read off paper. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** 16 symbols: 80 random bits, so a fast hash of one cannot be searched even from a database dump. */
const LENGTH = 16;

/** A fresh set of recovery codes, as shown to the user (XXXX-XXXX-XXXX-XXXX), and their hashes for the Back End. */
export function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const symbols = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return symbols.match(/.{4}/g)!.join('-');
  });
  return { codes, hashes: codes.map((code) => recoveryCodeHash(code)!) };
}

/**
 * The hash the Back End stores for a code as typed (any case, with or without dashes and
 * spaces), or undefined when it cannot be a recovery code. Only the hash leaves this process.
 */
export function recoveryCodeHash(typed: string): string | undefined {
  const normalized = typed.toUpperCase().replace(/[\s-]/g, '');
  if (normalized.length !== LENGTH || [...normalized].some((c) => !ALPHABET.includes(c))) return undefined;
  return createHash('sha256').update(normalized).digest('hex');
}

/** A TOTP code as typed ("123 456" too), or undefined when it is not six digits. */
export function totpCodeOf(typed: string): string | undefined {
  const digits = typed.replace(/\s/g, '');
  return /^[0-9]{6}$/.test(digits) ? digits : undefined;
}
