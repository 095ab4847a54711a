import { z } from 'zod';
import { attemptIdSchema, request, text, tokenHashSchema } from './request-shape.js';

/**
 * Issue 20 §2: passkeys (WebAuthn). The browser's answers travel as the JSON that
 * @simplewebauthn/browser makes (binary fields in base64url); the Back End verifies them.
 */

const base64url = (name: string, max: number) =>
  z.string().min(1, `${name} is required`).max(max, `${name} is longer than ${max} characters`).regex(/^[A-Za-z0-9_-]+$/, `${name} must be base64url`);

/** A credential id: authenticators make at most 1023 bytes (WebAuthn Level 3), about 1364 base64url characters. */
export const credentialIdSchema = base64url('credential id', 1400);
/** What the user calls a passkey on the Account page. */
export const passkeyNameSchema = text().trim().min(1, 'name is required').max(64, 'name is longer than 64 characters');
const transportSchema = z.enum(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

/** navigator.credentials.create()'s answer (RegistrationResponseJSON). */
export const registrationResponseSchema = z.looseObject({
  id: credentialIdSchema,
  rawId: credentialIdSchema,
  type: z.literal('public-key'),
  response: z.looseObject({
    clientDataJSON: base64url('clientDataJSON', 4096),
    attestationObject: base64url('attestationObject', 16_384),
    transports: z.array(transportSchema).max(8).optional(),
  }),
  clientExtensionResults: z.looseObject({}).default({}),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
});

/** navigator.credentials.get()'s answer (AuthenticationResponseJSON). */
export const authenticationResponseSchema = z.looseObject({
  id: credentialIdSchema,
  rawId: credentialIdSchema,
  type: z.literal('public-key'),
  response: z.looseObject({
    clientDataJSON: base64url('clientDataJSON', 4096),
    authenticatorData: base64url('authenticatorData', 4096),
    signature: base64url('signature', 1024),
    userHandle: base64url('userHandle', 128).optional(),
  }),
  clientExtensionResults: z.looseObject({}).default({}),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
});
export type RegistrationResponse = z.infer<typeof registrationResponseSchema>;
export type AuthenticationResponse = z.infer<typeof authenticationResponseSchema>;

/** Options for adding a passkey to the account of session `tokenHash`; the challenge is bound to that session. */
export const passkeyRegisterOptionsRequestSchema = request('PASSKEY_REGISTER_OPTIONS', { tokenHash: tokenHashSchema });
/**
 * The browser's answer to those options: verified, then stored under `name`, after the Front End
 * checked the password through LOGIN_ATTEMPT `attemptId` (given back on success): a stolen
 * session alone must not be able to add a lasting way in.
 */
export const passkeyRegisterRequestSchema = request('PASSKEY_REGISTER', {
  tokenHash: tokenHashSchema,
  name: passkeyNameSchema,
  credential: registrationResponseSchema,
  attemptId: attemptIdSchema.optional(),
});
/** Removes one of the account's passkeys (the Front End asked the user to confirm). */
export const passkeyRemoveRequestSchema = request('PASSKEY_REMOVE', { tokenHash: tokenHashSchema, credentialId: credentialIdSchema });
/**
 * Options for a login with a passkey: the second factor of pending login `pendingHash` (its
 * account's passkeys allowed), or a passwordless login bound to the browser's token `flowHash`
 * (any discoverable passkey). Exactly one of the two.
 */
export const passkeyLoginOptionsRequestSchema = request('PASSKEY_LOGIN_OPTIONS', {
  pendingHash: tokenHashSchema.optional(),
  flowHash: tokenHashSchema.optional(),
}).refine((r) => (r.data.pendingHash === undefined) !== (r.data.flowHash === undefined), 'data: exactly one of pendingHash and flowHash');
/**
 * A passwordless login: counted like a password attempt; on success the session `sessionTokenHash`
 * starts. `requireVerified` (EMAIL_VERIFICATION=required): an account whose address is unconfirmed
 * gets no session, only `unverified` and its email, as a right password would.
 */
export const passkeyLoginRequestSchema = request('PASSKEY_LOGIN', {
  flowHash: tokenHashSchema,
  sessionTokenHash: tokenHashSchema,
  credential: authenticationResponseSchema,
  ipLimitPerMinute: z.number().int().positive().optional(),
  requireVerified: z.boolean().optional(),
});

/** Whether this site offers passkeys at all (the Back End has WebAuthn settings): the login page asks, and caches the answer. */
export const passkeySupportRequestSchema = request('PASSKEY_SUPPORT', {});

export const passkeyRequestSchemas = {
  PASSKEY_SUPPORT: passkeySupportRequestSchema,
  PASSKEY_REGISTER_OPTIONS: passkeyRegisterOptionsRequestSchema,
  PASSKEY_REGISTER: passkeyRegisterRequestSchema,
  PASSKEY_REMOVE: passkeyRemoveRequestSchema,
  PASSKEY_LOGIN_OPTIONS: passkeyLoginOptionsRequestSchema,
  PASSKEY_LOGIN: passkeyLoginRequestSchema,
} as const;

/** One passkey as MFA_STATUS lists it (never its key). */
export const passkeyListingSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  backedUp: z.boolean(),
});
export type PasskeyListing = z.infer<typeof passkeyListingSchema>;

/**
 * The most passkeys one account may hold: enough for a phone, a laptop and security keys to
 * spare, and a bound on what one account can store and what each ceremony's options list.
 */
export const MAX_PASSKEYS = 10;

/** The reply fields the actions above add. */
export const passkeyReplyFields = {
  /** PASSKEY_REGISTER_OPTIONS, PASSKEY_LOGIN_OPTIONS: what the browser passes to navigator.credentials. */
  passkeyOptions: z.record(z.string(), z.unknown()).optional(),
  /** MFA_STATUS: the account's passkeys (absent: this Back End has no WebAuthn settings). */
  passkeys: z.array(passkeyListingSchema).optional(),
  /** PASSKEY_SUPPORT: whether passkeys can be added and used here. */
  passkeysOffered: z.boolean().optional(),
  /**
   * PASSKEY_REGISTER: `exists` (that authenticator is registered already); PASSKEY_REGISTER_OPTIONS
   * and PASSKEY_REGISTER: `limit` (the account holds the most passkeys it may).
   */
  passkeyState: z.enum(['exists', 'limit']).optional(),
};
