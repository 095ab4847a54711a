import { dictionary } from '@zxcvbn-ts/language-common';

export const MIN_PASSWORD_LENGTH = 8;
/** Longer passwords are refused before hashing: argon2 work must not grow with input. */
export const MAX_PASSWORD_LENGTH = 128;
/**
 * Raw input longer than this is refused before it is even normalised: NFKC can expand a
 * character up to 18-fold, so normalising megabytes would itself be the attack.
 */
export const MAX_RAW_PASSWORD_LENGTH = 4 * MAX_PASSWORD_LENGTH;
/** A local part shorter than this ("al@…") is too common a substring to forbid. */
export const MIN_LOCAL_PART_TO_CHECK = 3;
export const COMMON_PASSWORD_COUNT = 10_000;

/**
 * zxcvbn-ts' ranked list of leaked passwords (MIT licence, @zxcvbn-ts/language-common);
 * its first 10,000 entries are the most common ones. Built once, compared lower-cased.
 */
const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  dictionary['passwords-common'].slice(0, COMMON_PASSWORD_COUNT).map((p) => p.normalize('NFKC').toLowerCase()),
);

/** What users read, as sentences: shown under the field and in the error summary. */
export const PasswordErrors = {
  required: 'Enter a password.',
  tooShort: `Password must be at least ${MIN_PASSWORD_LENGTH} characters.`,
  tooLong: `Password must be at most ${MAX_PASSWORD_LENGTH} characters.`,
  common: 'This password is one of the most common passwords. Choose one that is harder to guess.',
  isEmail: 'Password must not be your email address.',
  containsEmail: 'Password must not contain the part of your email address before the @.',
} as const;

/**
 * The rules registration enforces, shown before the user submits. `id` lets the page's
 * script tick off what a browser can check (it cannot check the common-password list).
 */
export const PASSWORD_RULES = [
  { id: 'length', text: `Use ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters; spaces and long phrases are welcome.` },
  { id: 'common', text: `Avoid the ${COMMON_PASSWORD_COUNT.toLocaleString('en')} most common passwords.` },
  { id: 'email', text: 'Do not use your email address, nor the part of it before the @.' },
] as const;

export type LengthCheck = { ok: true; password: string } | { ok: false; error: string };

/** NFKC folds look-alikes (fullwidth letters, ligatures) so they hash as their plain form. */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Counts characters as people do: an emoji is one, not two UTF-16 units. */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** The bounds both forms enforce, in the order that keeps a huge input cheap. */
export function checkPasswordLength(raw: string): LengthCheck {
  if (raw === '') return { ok: false, error: PasswordErrors.required };
  if (raw.length > MAX_RAW_PASSWORD_LENGTH) return { ok: false, error: PasswordErrors.tooLong };
  const password = normalizePassword(raw);
  if (codePointLength(password) > MAX_PASSWORD_LENGTH) return { ok: false, error: PasswordErrors.tooLong };
  return { ok: true, password };
}

/**
 * Registration's rules for a normalised password. `email` (already normalised) is
 * undefined when the email field itself was invalid.
 */
export function checkNewPassword(password: string, email: string | undefined): string | undefined {
  if (codePointLength(password) < MIN_PASSWORD_LENGTH) return PasswordErrors.tooShort;
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower)) return PasswordErrors.common;
  if (email !== undefined) return checkAgainstEmail(lower, email);
  return undefined;
}

function checkAgainstEmail(lowerPassword: string, email: string): string | undefined {
  const address = email.normalize('NFKC').toLowerCase();
  if (lowerPassword === address) return PasswordErrors.isEmail;
  const localPart = address.slice(0, address.lastIndexOf('@'));
  if (codePointLength(localPart) >= MIN_LOCAL_PART_TO_CHECK && lowerPassword.includes(localPart)) {
    return PasswordErrors.containsEmail;
  }
  return undefined;
}

export function isCommonPassword(password: string): boolean {
  return COMMON_PASSWORDS.has(normalizePassword(password).toLowerCase());
}

/** What the new-password pages' script checks as the user types: the same numbers the server enforces. */
export const PASSWORD_HINT = { minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH, minLocalPart: MIN_LOCAL_PART_TO_CHECK };
