import { randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { normalizePassword } from './password-policy.js';

// Algorithm is an ambient const enum, which isolatedModules cannot read; 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;
/** The argon2 version @node-rs/argon2 writes (0x13), as it appears in a PHC string. */
const ARGON2_VERSION = 19;

/** argon2id cost parameters; the defaults (config.ts) are OWASP's 19 MiB, 2 passes, 1 lane. */
export interface Argon2Params {
  memoryKib: number;
  timeCost: number;
  parallelism: number;
}

/** OWASP's recommended argon2id parameters, used when no others are given. */
export const OWASP_ARGON2: Argon2Params = { memoryKib: 19456, timeCost: 2, parallelism: 1 };

/**
 * Hashes a password into a PHC string ($argon2id$v=19$m=19456,t=2,p=1$salt$hash).
 * The password is NFKC-normalised first, so every way of typing it gives one hash.
 */
export function hashPassword(password: string, params: Argon2Params = OWASP_ARGON2): Promise<string> {
  return hash(normalizePassword(password), {
    algorithm: ARGON2ID,
    memoryCost: params.memoryKib,
    timeCost: params.timeCost,
    parallelism: params.parallelism,
  });
}

/** True only when the password matches; a malformed or foreign hash is simply "no match". */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, normalizePassword(password));
  } catch {
    return false;
  }
}

const PHC_ARGON2 = /^\$(argon2(?:id|i|d))\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$/;

/** True when a stored hash was made with another algorithm or other parameters than `params`. */
export function needsRehash(passwordHash: string, params: Argon2Params): boolean {
  const match = PHC_ARGON2.exec(passwordHash);
  if (!match) return true;
  const [, algorithm, version, m, t, p] = match;
  return (
    algorithm !== 'argon2id' ||
    Number(version) !== ARGON2_VERSION ||
    Number(m) !== params.memoryKib ||
    Number(t) !== params.timeCost ||
    Number(p) !== params.parallelism
  );
}

/**
 * A hash of a random password at the configured parameters, verified against when the
 * email is unknown or locked, so those cost exactly what a wrong password costs.
 */
export function makeDummyHash(params: Argon2Params = OWASP_ARGON2): Promise<string> {
  return hashPassword(randomBytes(32).toString('base64url'), params);
}
