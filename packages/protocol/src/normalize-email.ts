/** Emails are compared trimmed and case-insensitively; this is the one place that says how. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
