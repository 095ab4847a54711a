import type { Logger } from 'pino';
import { withinDeadline, type Database } from '@gatehouse/database';
import type { RequestHandler, RequestMeta } from '@gatehouse/messaging';
import type { Reply, Request } from '@gatehouse/protocol';
import { accountDelete, accountSessions, passwordChange, sessionEndOthers } from './account.js';
import { getHash, loginFailed, register, updateHash } from './accounts.js';
import { createHandlerContext, NO_RELAY, type HandlerContext, type HandlerPolicies, type OutboxKick } from './context.js';
import { loginAbandoned, loginAttempt } from './login-attempt.js';
import { mailClaim, mailSent } from './mail.js';
import { passwordReset, passwordResetRequest, resetTokenCheck } from './password-resets.js';
import { sessionCreate, sessionGet, sessionRevoke, sessionRevokeAll } from './sessions.js';
import { systemStatus } from './system-status.js';
import { mfaLoginBegin, mfaLoginFactors, mfaLoginVerify, mfaStatus, recoveryCodesReplace, totpDisable, totpEnrolConfirm, totpEnrolStart } from './second-factors/index.js';
import { passkeyLogin, passkeyLoginOptions, passkeySupport, passkeyRegister, passkeyRegisterOptions, passkeyRemove } from './passkeys/index.js';
import { emailChange, emailChangeRequest, emailVerify, verificationSend, verificationStatus } from './verification.js';
import type { StatusSources } from '../status/database-status.js';

export { DEFAULT_POLICIES, NO_RELAY, type HandlerPolicies, type OutboxKick } from './context.js';

/** The textbook's process_request: one handler per action. Requests arrive validated. */
export function createRequestHandler(
  db: Database,
  logger: Logger,
  policies: HandlerPolicies,
  status: StatusSources = { patroniUrls: [] },
  outbox: OutboxKick = NO_RELAY,
): RequestHandler {
  const shared = createHandlerContext(db, logger, policies, status, outbox);
  const dispatch = (ctx: HandlerContext, request: Request, meta: RequestMeta): Promise<Reply> => {
    switch (request.action) {
      case 'REGISTER':
        return register(ctx, request, meta);
      case 'GETHASH':
        return getHash(ctx, request);
      case 'UPDATE_HASH':
        return updateHash(ctx, request, meta);
      case 'LOGIN_ATTEMPT':
        return loginAttempt(ctx, request, meta);
      case 'LOGIN_FAILED':
        return loginFailed(ctx, request, meta);
      case 'LOGIN_ABANDONED':
        return loginAbandoned(ctx, request, meta);
      case 'SESSION_CREATE':
        return sessionCreate(ctx, request, meta);
      case 'SESSION_GET':
        return sessionGet(ctx, request);
      case 'SESSION_REVOKE':
        return sessionRevoke(ctx, request, meta);
      case 'SESSION_REVOKE_ALL':
        return sessionRevokeAll(ctx, request, meta);
      case 'SYSTEM_STATUS':
        return systemStatus(ctx, request);
      case 'PASSWORD_RESET_REQUEST':
        return passwordResetRequest(ctx, request, meta);
      case 'RESET_TOKEN_CHECK':
        return resetTokenCheck(ctx, request);
      case 'PASSWORD_RESET':
        return passwordReset(ctx, request, meta);
      case 'MAIL_CLAIM':
        return mailClaim(ctx, request);
      case 'MAIL_SENT':
        return mailSent(ctx, request);
      case 'ACCOUNT_SESSIONS':
        return accountSessions(ctx, request);
      case 'SESSION_END_OTHERS':
        return sessionEndOthers(ctx, request, meta);
      case 'PASSWORD_CHANGE':
        return passwordChange(ctx, request, meta);
      case 'ACCOUNT_DELETE':
        return accountDelete(ctx, request, meta);
      case 'MFA_STATUS':
        return mfaStatus(ctx, request);
      case 'TOTP_ENROL_START':
        return totpEnrolStart(ctx, request);
      case 'TOTP_ENROL_CONFIRM':
        return totpEnrolConfirm(ctx, request, meta);
      case 'RECOVERY_CODES_REPLACE':
        return recoveryCodesReplace(ctx, request, meta);
      case 'TOTP_DISABLE':
        return totpDisable(ctx, request, meta);
      case 'MFA_LOGIN_BEGIN':
        return mfaLoginBegin(ctx, request, meta);
      case 'MFA_LOGIN_FACTORS':
        return mfaLoginFactors(ctx, request);
      case 'MFA_LOGIN_VERIFY':
        return mfaLoginVerify(ctx, request, meta);
      case 'PASSKEY_SUPPORT':
        return passkeySupport(ctx);
      case 'PASSKEY_REGISTER_OPTIONS':
        return passkeyRegisterOptions(ctx, request);
      case 'PASSKEY_REGISTER':
        return passkeyRegister(ctx, request, meta);
      case 'PASSKEY_REMOVE':
        return passkeyRemove(ctx, request, meta);
      case 'PASSKEY_LOGIN_OPTIONS':
        return passkeyLoginOptions(ctx, request);
      case 'PASSKEY_LOGIN':
        return passkeyLogin(ctx, request, meta);
      case 'VERIFICATION_SEND':
        return verificationSend(ctx, request, meta);
      case 'VERIFICATION_STATUS':
        return verificationStatus(ctx, request);
      case 'EMAIL_VERIFY':
        return emailVerify(ctx, request, meta);
      case 'EMAIL_CHANGE_REQUEST':
        return emailChangeRequest(ctx, request, meta);
      case 'EMAIL_CHANGE':
        return emailChange(ctx, request, meta);
    }
  };
  return async (request, meta) => {
    // The transport's per-message logger carries the request's id (reqId) on every line.
    const log = meta.logger ?? logger;
    log.debug({ action: request.action }, 'Request received');
    try {
      // Every query the handler runs gets the caller's deadline: none starts, or is retried, after it.
      return await withinDeadline(meta.deadline, () => dispatch(meta.logger ? { ...shared, logger: meta.logger } : shared, request, meta));
    } catch (err) {
      if (!isDataError(err)) throw err; // the database is unavailable: the request is retried
      log.warn({ action: request.action, sqlstate: (err as { code: string }).code }, 'Database refused the request data');
      return { success: false, message: 'The request data was refused by the database' };
    }
  };
}

/**
 * SQLSTATE classes 22 (data exception) and 23 (integrity violation) mean this request can never
 * succeed, so retrying it would only loop until it is dead-lettered, unanswered.
 */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}
