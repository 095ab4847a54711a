import { emailSchema, MAX_EMAIL_LENGTH, normalizeEmail } from '@gatehouse/protocol';
import { checkNewPassword, checkPasswordLength } from '../passwords/password-policy.js';

export { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../passwords/password-policy.js';

export interface Credentials {
  email: string;
  /** NFKC-normalised, at most 128 code points. */
  password: string;
}

export interface FieldErrors {
  email?: string;
  password?: string;
}

export type FormResult =
  | { ok: true; value: Credentials }
  | { ok: false; errors: FieldErrors; email: string };

/** Registration enforces the full password policy. */
export function parseRegisterForm(body: unknown): FormResult {
  return parseForm(body, true);
}

/** Login only refuses what could never match (or would be costly to hash). */
export function parseLoginForm(body: unknown): FormResult {
  return parseForm(body, false);
}

// Every check here runs before any hashing or RPC, so junk input costs next to nothing.
function parseForm(body: unknown, isNew: boolean): FormResult {
  const rawEmail = field(body, 'email');
  const errors: FieldErrors = {};
  const parsed = emailSchema.safeParse(rawEmail);
  const email = parsed.success ? normalizeEmail(parsed.data) : undefined;
  if (!parsed.success) errors.email = emailError(parsed.error.issues[0]?.code);
  const length = checkPasswordLength(field(body, 'password'));
  const passwordError = length.ok ? (isNew ? checkNewPassword(length.password, email) : undefined) : length.error;
  if (passwordError) errors.password = passwordError;
  if (email === undefined || !length.ok || passwordError) {
    return { ok: false, errors, email: rawEmail.trim().slice(0, MAX_EMAIL_LENGTH) };
  }
  return { ok: true, value: { email, password: length.password } };
}

/**
 * The protocol's zod messages are written for logs ("email is required"); users get
 * sentences that say what to do, chosen by the kind of issue rather than its wording.
 */
const EMAIL_ERRORS: Record<string, string> = {
  too_small: 'Enter your email address.',
  too_big: `Email address must be at most ${MAX_EMAIL_LENGTH} characters.`,
  invalid_format: 'Enter an email address in the form name@example.com.',
};

function emailError(code: string | undefined): string {
  return EMAIL_ERRORS[code ?? ''] ?? 'Enter a valid email address.';
}

/** A form with just an email address ("forgot password"): the same checks and sentences as the others. */
export function parseEmailForm(body: unknown): { ok: true; email: string } | { ok: false; error: string; email: string } {
  const raw = field(body, 'email');
  const parsed = emailSchema.safeParse(raw);
  if (parsed.success) return { ok: true, email: normalizeEmail(parsed.data) };
  return { ok: false, error: emailError(parsed.error.issues[0]?.code), email: raw.trim().slice(0, MAX_EMAIL_LENGTH) };
}

/** Reads one text field; repeated or non-text fields count as missing. */
export function field(body: unknown, name: string): string {
  if (typeof body !== 'object' || body === null) return '';
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}
