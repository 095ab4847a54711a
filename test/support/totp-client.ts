import { authenticator } from 'otplib';
import { expect } from 'vitest';
import type { FormClient } from './form-client.js';

/** A test key for MFA_ENCRYPTION_KEY: 32 bytes of hex, fixed so that every Back End of a test shares it. */
export const TEST_MFA_KEY = 'a1'.repeat(32);
export const PASSWORD = 'Tr0ub4dor & horse';

/** The code an authenticator app shows for `secret` at `atMs` (default: now). */
export function codeAt(secret: string, atMs = Date.now()): string {
  return authenticator.clone({ epoch: atMs }).generate(secret);
}

/** Registers `email` and switches TOTP on from the Account page; returns the secret and the recovery codes shown. */
export async function enrolTotp(client: FormClient, email: string): Promise<{ secret: string; recoveryCodes: string[] }> {
  expect((await client.submit('/register', { email, password: PASSWORD })).status).toBe(303);
  const enrol = await client.submit('/account/totp/start', {}, '/account');
  expect(enrol.status).toBe(200);
  expect(enrol.body).toContain('<svg');
  const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(enrol.body)![1]!.replace(/ /g, '');
  const confirmed = await client.submit('/account/totp/confirm', { 'enrol-password': PASSWORD, 'totp-code': codeAt(secret) }, '/account');
  expect(confirmed.status).toBe(200);
  const recoveryCodes = [...confirmed.body.matchAll(/<code>([A-Z2-9-]{19})<\/code>/g)].map((m) => m[1]!);
  expect(recoveryCodes).toHaveLength(10);
  return { secret, recoveryCodes };
}

/** The password step: a right password for an account with TOTP leads to the code page, not a session. */
export async function passwordStep(client: FormClient, email: string): Promise<void> {
  const page = await client.submit('/login', { email, password: PASSWORD });
  expect(page.status).toBe(303);
  expect(page.location).toBe('/login/second-factor');
}

/** Posts a code (or recovery code) on the second-factor page. */
export function codeStep(client: FormClient, code: string) {
  return client.submit('/login/second-factor', { code });
}
