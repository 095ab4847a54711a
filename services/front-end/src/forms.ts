import { emailSchema, MAX_EMAIL_LENGTH, normalizeEmail } from '@gatehouse/protocol';

export const MIN_PASSWORD_LENGTH = 8;
/** Longer passwords are refused before hashing: argon2 work must not grow with input. */
export const MAX_PASSWORD_LENGTH = 128;

export interface Credentials {
  email: string;
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
  return parseForm(body, checkNewPassword);
}

/** Login only refuses what could never match (or would be costly to hash). */
export function parseLoginForm(body: unknown): FormResult {
  return parseForm(body, checkPasswordBounds);
}

function parseForm(body: unknown, checkPassword: (pw: string) => string | undefined): FormResult {
  const rawEmail = field(body, 'email');
  const password = field(body, 'password');
  const errors: FieldErrors = {};
  const email = emailSchema.safeParse(rawEmail);
  if (!email.success) errors.email = email.error.issues[0]?.message ?? 'email is not valid';
  const passwordError = checkPassword(password);
  if (passwordError) errors.password = passwordError;
  if (!email.success || passwordError) return { ok: false, errors, email: rawEmail.trim().slice(0, MAX_EMAIL_LENGTH) };
  return { ok: true, value: { email: normalizeEmail(email.data), password } };
}

function checkNewPassword(password: string): string | undefined {
  const bounds = checkPasswordBounds(password);
  if (bounds) return bounds;
  if (password.length < MIN_PASSWORD_LENGTH) return `password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  return undefined;
}

function checkPasswordBounds(password: string): string | undefined {
  if (password === '') return 'password is required';
  if (password.length > MAX_PASSWORD_LENGTH) return `password must be at most ${MAX_PASSWORD_LENGTH} characters`;
  return undefined;
}

/** Reads one text field; repeated or non-text fields count as missing. */
function field(body: unknown, name: string): string {
  if (typeof body !== 'object' || body === null) return '';
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}
