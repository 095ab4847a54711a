import { z } from 'zod';
import { attemptIdSchema, deviceHashSchema, emailSchema, request, tokenHashSchema } from './request-shape.js';
import { authenticationResponseSchema } from './passkeys.js';

/** Issue 20: TOTP and recovery codes. Every action but MFA_LOGIN_* names the account by the caller's live session (`tokenHash`). */

/** A TOTP code as typed: six digits (RFC 6238 with the usual parameters). */
export const totpCodeSchema = z.string().regex(/^[0-9]{6}$/, 'code must be 6 digits');
/** How many recovery codes a set has. */
export const RECOVERY_CODE_COUNT = 10;
/** Recovery codes travel as the hex SHA-256 of the normalized code: the code itself stays in the Front End. */
export const recoveryCodeHashesSchema = z.array(tokenHashSchema).length(RECOVERY_CODE_COUNT, `recoveryCodeHashes must hold ${RECOVERY_CODE_COUNT} hashes`);

/** The Account page's view of the user's second factors. */
export const mfaStatusRequestSchema = request('MFA_STATUS', { tokenHash: tokenHashSchema });
/** Starts (or resumes, within its time) enrolling an authenticator app: the reply holds the new secret, once per enrolment. */
export const totpEnrolStartRequestSchema = request('TOTP_ENROL_START', { tokenHash: tokenHashSchema });
/**
 * Switches TOTP on, if `code` is valid for the pending secret, with a first set of recovery codes,
 * after the Front End checked the password through LOGIN_ATTEMPT `attemptId` (a stolen session
 * alone must not be able to lock the owner out behind a phone they do not have).
 */
export const totpEnrolConfirmRequestSchema = request('TOTP_ENROL_CONFIRM', {
  tokenHash: tokenHashSchema,
  code: totpCodeSchema,
  recoveryCodeHashes: recoveryCodeHashesSchema,
  attemptId: attemptIdSchema.optional(),
});
/** A new set of recovery codes replaces the old one (TOTP must be on). */
export const recoveryCodesReplaceRequestSchema = request('RECOVERY_CODES_REPLACE', { tokenHash: tokenHashSchema, recoveryCodeHashes: recoveryCodeHashesSchema });
/** TOTP off, after the Front End checked the password through LOGIN_ATTEMPT `attemptId`, if `code` is current. */
export const totpDisableRequestSchema = request('TOTP_DISABLE', { tokenHash: tokenHashSchema, code: totpCodeSchema, attemptId: attemptIdSchema.optional() });
/**
 * The password of LOGIN_ATTEMPT `attemptId` was right and the account has a second factor: the
 * login waits for it under `pendingHash` (the SHA-256 of the browser's token) for five minutes.
 */
export const mfaLoginBeginRequestSchema = request('MFA_LOGIN_BEGIN', {
  email: emailSchema,
  pendingHash: tokenHashSchema,
  attemptId: attemptIdSchema.optional(),
  deviceHash: deviceHashSchema.optional(),
});
/**
 * The second factor of pending login `pendingHash`: a TOTP `code`, a recovery code's hash, or a
 * passkey's assertion (`passkey`, answering PASSKEY_LOGIN_OPTIONS for this pending login).
 * Counted like a password attempt; on success the session `sessionTokenHash` starts.
 */
export const mfaLoginVerifyRequestSchema = request('MFA_LOGIN_VERIFY', {
  pendingHash: tokenHashSchema,
  sessionTokenHash: tokenHashSchema,
  code: totpCodeSchema.optional(),
  recoveryCodeHash: tokenHashSchema.optional(),
  passkey: authenticationResponseSchema.optional(),
  ipLimitPerMinute: z.number().int().positive().optional(),
}).refine((r) => [r.data.code, r.data.recoveryCodeHash, r.data.passkey].filter((p) => p !== undefined).length === 1, 'data: exactly one of code, recoveryCodeHash and passkey');

/** Which second factors pending login `pendingHash` can use, so its page offers those (and nothing if it is not live). */
export const mfaLoginFactorsRequestSchema = request('MFA_LOGIN_FACTORS', { pendingHash: tokenHashSchema });

export const secondFactorRequestSchemas = {
  MFA_LOGIN_FACTORS: mfaLoginFactorsRequestSchema,
  MFA_STATUS: mfaStatusRequestSchema,
  TOTP_ENROL_START: totpEnrolStartRequestSchema,
  TOTP_ENROL_CONFIRM: totpEnrolConfirmRequestSchema,
  RECOVERY_CODES_REPLACE: recoveryCodesReplaceRequestSchema,
  TOTP_DISABLE: totpDisableRequestSchema,
  MFA_LOGIN_BEGIN: mfaLoginBeginRequestSchema,
  MFA_LOGIN_VERIFY: mfaLoginVerifyRequestSchema,
} as const;

/** The reply fields the actions above add. */
export const secondFactorReplyFields = {
  /** LOGIN_ATTEMPT (a right password is yet to be checked): the account has a second factor. PASSWORD_RESET: no session was started because of it. */
  secondFactor: z.boolean().optional(),
  /** MFA_STATUS, MFA_LOGIN_FACTORS: what the account has (`passkeys`: how many; MFA_LOGIN_FACTORS only). */
  secondFactors: z.looseObject({ totp: z.boolean(), recoveryCodesLeft: z.number(), passkeys: z.number().optional() }).optional(),
  /** TOTP_ENROL_START: the new secret (base32), and the otpauth:// URI an app scans. */
  totpSecret: z.string().optional(),
  /** Why a code was refused: `wrong` (or replayed), `expired` (no such pending login, or it ran out), `not_enrolled`, `not_configured` (no MFA_ENCRYPTION_KEY). */
  codeState: z.enum(['wrong', 'expired', 'not_enrolled', 'already_enabled', 'not_configured']).optional(),
};
