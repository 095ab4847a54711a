import { expect } from 'vitest';
import type { FormClient, Page } from './form-client.js';
import { SoftAuthenticator, type Tamper } from './soft-authenticator.js';
import { PASSWORD } from './totp-client.js';

/** The relying party the tests' Back Ends are configured for (WEBAUTHN_ORIGIN); the HTTP host does not matter to it. */
export const TEST_ORIGIN = 'https://gatehouse.test';
export const TEST_RP_ID = 'gatehouse.test';
export const PASSKEY_BACK_END_ENV = { WEBAUTHN_ORIGIN: TEST_ORIGIN };

/** The options fields the tests read (the ceremony's JSON, as @simplewebauthn/server makes it). */
export interface CeremonyOptions {
  challenge: string;
  user: { id: string; name: string };
  allowCredentials?: { id: string }[];
  excludeCredentials?: { id: string }[];
  userVerification?: string;
  rpId?: string;
  rp?: { id: string };
}

export const newAuthenticator = () => new SoftAuthenticator(TEST_ORIGIN, TEST_RP_ID);

/** Fetches a ceremony's options as the page's script does: a form post with the page's CSRF token. */
export async function ceremonyOptions(client: FormClient, optionsPath: string, formPath: string): Promise<{ status: number; options: CeremonyOptions; error?: string }> {
  const page = await client.post(optionsPath, { _csrf: await client.formToken(formPath) });
  const reply = JSON.parse(page.body) as { options: CeremonyOptions; error?: string };
  return { status: page.status, options: reply.options, ...(reply.error ? { error: reply.error } : {}) };
}

/** Posts a ceremony's answer as the script does: JSON in the form's `credential` field. */
export async function postAnswer(client: FormClient, path: string, formPath: string, answer: unknown, fields: Record<string, string> = {}): Promise<Page> {
  return client.submit(path, { ...fields, credential: JSON.stringify(answer) }, formPath);
}

/** Adds a passkey from the Account page of the logged-in `client`. */
export async function addPasskey(client: FormClient, authenticator: SoftAuthenticator, name = 'Test key', tamper: Tamper = {}, password = PASSWORD): Promise<Page> {
  const { status, options } = await ceremonyOptions(client, '/account/passkeys/options', '/account');
  expect(status).toBe(200);
  return postAnswer(client, '/account/passkeys', '/account', authenticator.register(options, tamper), { 'passkey-name': name, 'passkey-password': password });
}

/** Registers `email` and adds one passkey; returns its authenticator. */
export async function registerWithPasskey(client: FormClient, email: string, name = 'Test key'): Promise<SoftAuthenticator> {
  expect((await client.submit('/register', { email, password: PASSWORD })).status).toBe(303);
  const authenticator = newAuthenticator();
  const added = await addPasskey(client, authenticator, name);
  expect(added.status).toBe(303);
  expect(added.location).toBe('/account?done=passkey-added');
  return authenticator;
}

/** "Sign in with a passkey": options from the login page, then the answer (built by `answer`). */
export async function passwordless(client: FormClient, answer: (options: CeremonyOptions) => unknown): Promise<Page> {
  const { status, options } = await ceremonyOptions(client, '/login/passkey/options', '/login');
  expect(status).toBe(200);
  return postAnswer(client, '/login/passkey', '/login', answer(options));
}

/** The second factor with a passkey, after the password step (totp-client.ts's passwordStep). */
export async function passkeyStep(client: FormClient, answer: (options: CeremonyOptions) => unknown): Promise<Page> {
  const { status, options } = await ceremonyOptions(client, '/login/second-factor/passkey/options', '/login/second-factor');
  expect(status).toBe(200);
  return postAnswer(client, '/login/second-factor/passkey', '/login/second-factor', answer(options));
}
