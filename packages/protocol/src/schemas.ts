import { z } from 'zod';
import { storedHashProblem } from './phc.js';
import { MAX_STATUS_EVENTS, systemStatusSchema } from './system-status.js';
import { attemptIdSchema, clientSchema, deviceHashSchema, emailSchema, request, text, tokenHashSchema } from './request-shape.js';
import { secondFactorReplyFields, secondFactorRequestSchemas } from './second-factors.js';
import { passkeyReplyFields, passkeyRequestSchemas } from './passkeys.js';

export * from './request-shape.js';

/** A PHC argon2 string is about 100 characters; the cap leaves room for other algorithms. */
export const MAX_HASH_LENGTH = 1024;

export const hashSchema = text()
  .min(1, 'hash is required')
  .max(MAX_HASH_LENGTH, `hash is longer than ${MAX_HASH_LENGTH} characters`)
  // A stored hash sets the cost of every later login for that email: refuse costly ones here.
  .superRefine((value, ctx) => {
    const problem = storedHashProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/**
 * `ipLimitPerMinute`: the client IP's budget, shared with LOGIN_ATTEMPT; over it, nothing is stored.
 * `tokenHash`: also start the new user's session, in the same transaction (one round trip, not two).
 */
export const registerRequestSchema = request('REGISTER', {
  email: emailSchema,
  hash: hashSchema,
  ipLimitPerMinute: z.number().int().positive().optional(),
  tokenHash: tokenHashSchema.optional(),
  /** Also queue a verification link to the address (EMAIL_VERIFICATION on), in the same transaction. */
  verifyEmail: z.boolean().optional(),
});
export const getHashRequestSchema = request('GETHASH', { email: emailSchema });
/** The Front End verified a password against an older hash and sends one at today's parameters. */
export const updateHashRequestSchema = request('UPDATE_HASH', { email: emailSchema, hash: hashSchema });
/**
 * A login begins: counts the client IP (refused over `ipLimitPerMinute`) and the account's
 * attempt in one step on the primary, and answers the hash only while the account is not locked.
 * `deviceHash`: a trusted device, counted and locked on its own budget instead of the untrusted
 * clients'. `attemptId`: keeps the attempt refundable by LOGIN_ABANDONED.
 */
export const loginAttemptRequestSchema = request('LOGIN_ATTEMPT', {
  email: emailSchema,
  ipLimitPerMinute: z.number().int().positive().optional(),
  attemptId: attemptIdSchema.optional(),
  deviceHash: deviceHashSchema.optional(),
});
/** The login of LOGIN_ATTEMPT `attemptId` ended without a verdict on its password: undo what it counted. */
export const loginAbandonedRequestSchema = request('LOGIN_ABANDONED', { email: emailSchema, attemptId: attemptIdSchema });
/** A wrong password (or an unknown email): counts towards the lockout, unless LOGIN_ATTEMPT `counted` it already. */
export const loginFailedRequestSchema = request('LOGIN_FAILED', { email: emailSchema, counted: z.boolean().default(false) });
export const sessionCreateRequestSchema = request('SESSION_CREATE', {
  email: emailSchema,
  tokenHash: tokenHashSchema,
  /** `login` also resets the failure counter and audits a login; `register` does neither. */
  reason: z.enum(['login', 'register']).default('login'),
  /** At login from a trusted device: that device's counter is reset, not the untrusted clients'. */
  deviceHash: deviceHashSchema.optional(),
});
export const sessionGetRequestSchema = request('SESSION_GET', { tokenHash: tokenHashSchema });
export const sessionRevokeRequestSchema = request('SESSION_REVOKE', { tokenHash: tokenHashSchema });
export const sessionRevokeAllRequestSchema = request('SESSION_REVOKE_ALL', { tokenHash: tokenHashSchema });
/** "Forgot password": always answered alike; a known address under its budgets gets a link by mail. */
export const passwordResetRequestSchema = request('PASSWORD_RESET_REQUEST', {
  email: emailSchema,
  ipLimitPerMinute: z.number().int().positive().optional(),
});
/** Whether a reset link still works, and for whom (the Front End checks the new password against it). */
export const resetTokenCheckRequestSchema = request('RESET_TOKEN_CHECK', { tokenHash: tokenHashSchema });
/** Spends a reset link: the new hash, every session ended, the lockout cleared, and a new session `sessionTokenHash`. */
export const passwordResetRequestCompleteSchema = request('PASSWORD_RESET', {
  tokenHash: tokenHashSchema,
  hash: hashSchema,
  sessionTokenHash: tokenHashSchema,
});
/** The Account page's list of the user's live sessions (`tokenHash`: one of them, the caller's). */
export const accountSessionsRequestSchema = request('ACCOUNT_SESSIONS', { tokenHash: tokenHashSchema });
/** Ends the user's other sessions: the one named `ref` (from ACCOUNT_SESSIONS), or all of them. */
export const sessionEndOthersRequestSchema = request('SESSION_END_OTHERS', {
  tokenHash: tokenHashSchema,
  ref: z.string().regex(/^[0-9a-f]{16}$/, 'ref must be 16 lowercase hex characters').optional(),
});
/**
 * The logged-in user changes their password or deletes their account, after the Front End
 * checked the current password through LOGIN_ATTEMPT `attemptId` (whose count is given back).
 */
export const passwordChangeRequestSchema = request('PASSWORD_CHANGE', { tokenHash: tokenHashSchema, hash: hashSchema, attemptId: attemptIdSchema.optional() });
export const accountDeleteRequestSchema = request('ACCOUNT_DELETE', { tokenHash: tokenHashSchema, attemptId: attemptIdSchema.optional() });
/** An outbox mail's id (a UUID the Back End made). */
export const mailIdSchema = z.uuid('id must be a UUID');
/** The Mailer asks to send mail `id` for a while (`claimant`: this delivery's own random id). */
export const mailClaimRequestSchema = request('MAIL_CLAIM', {
  id: mailIdSchema,
  claimant: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'claimant must be 16-64 characters of A-Z a-z 0-9 _ -'),
  leaseMs: z.number().int().min(1000).max(600_000).default(60_000),
});
/** The SMTP server accepted mail `id`: never send it again. */
export const mailSentRequestSchema = request('MAIL_SENT', { id: mailIdSchema });
/**
 * "Send the verification link again": for the session `tokenHash`'s account (a logged-in user), or
 * else for `email` (the page a refused login shows). Always answered alike, counted per client
 * IP (`ipLimitPerMinute`) and per address (the Back End's hourly budget).
 */
export const verificationSendRequestSchema = request('VERIFICATION_SEND', {
  email: emailSchema.optional(),
  tokenHash: tokenHashSchema.optional(),
  ipLimitPerMinute: z.number().int().positive().optional(),
}).refine((r) => r.data.email !== undefined || r.data.tokenHash !== undefined, { message: 'email or tokenHash is required', path: ['data'] });
/** Whether an account's address is verified (EMAIL_VERIFICATION=required checks it at login, after the password). */
export const verificationStatusRequestSchema = request('VERIFICATION_STATUS', { email: emailSchema });
/** Spends a verification link (`tokenHash`: its token's hash): the address is verified and session `sessionTokenHash` starts. */
export const emailVerifyRequestSchema = request('EMAIL_VERIFY', { tokenHash: tokenHashSchema, sessionTokenHash: tokenHashSchema });
/**
 * The logged-in user (session `tokenHash`) asks to move the account to `newEmail`, after the
 * Front End checked their password through LOGIN_ATTEMPT `attemptId`: a link goes to the new address.
 */
export const emailChangeRequestSchema = request('EMAIL_CHANGE_REQUEST', {
  tokenHash: tokenHashSchema,
  newEmail: emailSchema,
  attemptId: attemptIdSchema.optional(),
});
/** Spends a change-of-address link: the account moves to its new address, if that is still free. */
export const emailChangeConfirmSchema = request('EMAIL_CHANGE', { tokenHash: tokenHashSchema });
/** The database's topology and the recent auth events, for operators (the Front End's /status). */
export const systemStatusRequestSchema = request('SYSTEM_STATUS', {
  events: z.number().int().min(0).max(MAX_STATUS_EVENTS).default(20),
});

/** Every action the Back End answers, keyed by name. */
export const requestSchemas = {
  REGISTER: registerRequestSchema,
  GETHASH: getHashRequestSchema,
  UPDATE_HASH: updateHashRequestSchema,
  LOGIN_ATTEMPT: loginAttemptRequestSchema,
  LOGIN_FAILED: loginFailedRequestSchema,
  LOGIN_ABANDONED: loginAbandonedRequestSchema,
  SESSION_CREATE: sessionCreateRequestSchema,
  SESSION_GET: sessionGetRequestSchema,
  SESSION_REVOKE: sessionRevokeRequestSchema,
  SESSION_REVOKE_ALL: sessionRevokeAllRequestSchema,
  SYSTEM_STATUS: systemStatusRequestSchema,
  PASSWORD_RESET_REQUEST: passwordResetRequestSchema,
  RESET_TOKEN_CHECK: resetTokenCheckRequestSchema,
  PASSWORD_RESET: passwordResetRequestCompleteSchema,
  MAIL_CLAIM: mailClaimRequestSchema,
  MAIL_SENT: mailSentRequestSchema,
  ACCOUNT_SESSIONS: accountSessionsRequestSchema,
  SESSION_END_OTHERS: sessionEndOthersRequestSchema,
  PASSWORD_CHANGE: passwordChangeRequestSchema,
  ACCOUNT_DELETE: accountDeleteRequestSchema,
  ...secondFactorRequestSchemas,
  ...passkeyRequestSchemas,
  VERIFICATION_SEND: verificationSendRequestSchema,
  VERIFICATION_STATUS: verificationStatusRequestSchema,
  EMAIL_VERIFY: emailVerifyRequestSchema,
  EMAIL_CHANGE_REQUEST: emailChangeRequestSchema,
  EMAIL_CHANGE: emailChangeConfirmSchema,
} as const;

export type ActionName = keyof typeof requestSchemas;
export type RequestOf<A extends ActionName> = z.infer<(typeof requestSchemas)[A]>;
/** What a sender builds: defaults (like SESSION_CREATE's reason) may be left out. */
export type RequestInput<A extends ActionName = ActionName> = A extends ActionName ? z.input<(typeof requestSchemas)[A]> : never;
export type RegisterRequest = RequestOf<'REGISTER'>;
export type GetHashRequest = RequestOf<'GETHASH'>;
export type Request = { [A in ActionName]: RequestOf<A> }[ActionName];
export type ClientInfo = z.infer<typeof clientSchema>;

/** One of a user's live sessions, as ACCOUNT_SESSIONS lists it. `ref` names it (16 hex digits of its id's hash) without its hash. */
export const sessionListingSchema = z.object({
  ref: z.string(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  current: z.boolean(),
});
export type SessionListing = z.infer<typeof sessionListingSchema>;

export const replySchema = z.looseObject({
  success: z.boolean(),
  message: z.string().optional(),
  /** GETHASH: the stored hash. */
  hash: z.string().optional(),
  /** GETHASH, LOGIN_ATTEMPT, LOGIN_FAILED: ISO time until which the account refuses logins. */
  lockedUntil: z.string().optional(),
  /** LOGIN_ATTEMPT, REGISTER: the client IP is over its budget for this minute; nothing else was done. */
  rateLimited: z.boolean().optional(),
  /** REGISTER with a tokenHash: the session was created too (an older Back End ignores tokenHash and omits this). */
  session: z.boolean().optional(),
  /** SESSION_GET: whose session it is (PASSKEY_LOGIN: whose passkey answered). */
  email: z.string().optional(),
  /** PASSKEY_LOGIN with requireVerified: the passkey was right, but the address is unconfirmed; no session. */
  unverified: z.boolean().optional(),
  /** LOGIN_ABANDONED: false when nothing was open under that id (already refunded, or its login ended). */
  refunded: z.boolean().optional(),
  /** SESSION_REVOKE_ALL, SESSION_END_OTHERS, PASSWORD_CHANGE: how many sessions were ended. */
  revoked: z.number().optional(),
  /** RESET_TOKEN_CHECK, PASSWORD_RESET, EMAIL_VERIFY, EMAIL_CHANGE: what the link is worth (`valid` on success). */
  tokenState: z.enum(['valid', 'used', 'expired', 'unknown']).optional(),
  /** MAIL_CLAIM: the mail to send, when claimed. */
  mail: z.looseObject({ id: z.string(), template: z.string(), recipient: z.string(), data: z.record(z.string(), z.unknown()) }).optional(),
  /** MAIL_CLAIM: `sent` (already sent), `gone` (no such mail), `busy` (another Mailer holds it for `retryInMs`). */
  mailState: z.enum(['sent', 'gone', 'busy']).optional(),
  retryInMs: z.number().optional(),
  /** SESSION_GET, VERIFICATION_STATUS: whether the account's address is verified. */
  verified: z.boolean().optional(),
  /** EMAIL_CHANGE_REQUEST: `queued` (a link went to the new address), `same`, `taken` (another account has it), `over_budget`. */
  emailChange: z.enum(['queued', 'same', 'taken', 'over_budget']).optional(),
  /** EMAIL_CHANGE: the new address was taken by another account before the link was clicked. */
  emailTaken: z.boolean().optional(),
  /** ACCOUNT_SESSIONS: the user's live sessions, newest first. */
  sessions: z.array(sessionListingSchema).optional(),
  /** SYSTEM_STATUS: the database and recent auth events. */
  status: systemStatusSchema.optional(),
  ...secondFactorReplyFields,
  ...passkeyReplyFields,
});
export type Reply = z.infer<typeof replySchema>;
