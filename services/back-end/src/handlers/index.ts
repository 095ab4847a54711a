import type { Logger } from 'pino';
import type { Database } from '@gatehouse/database';
import type { RequestHandler } from '@gatehouse/messaging';
import { getHash, loginFailed, register, updateHash } from './accounts.js';
import { createHandlerContext, type HandlerPolicies } from './context.js';
import { sessionCreate, sessionGet, sessionRevoke, sessionRevokeAll } from './sessions.js';

export { DEFAULT_POLICIES, type HandlerPolicies } from './context.js';

/** The textbook's process_request: one handler per action. Requests arrive validated. */
export function createRequestHandler(db: Database, logger: Logger, policies: HandlerPolicies): RequestHandler {
  const ctx = createHandlerContext(db, logger, policies);
  return (request, meta) => {
    switch (request.action) {
      case 'REGISTER':
        return register(ctx, request, meta);
      case 'GETHASH':
        return getHash(ctx, request);
      case 'UPDATE_HASH':
        return updateHash(ctx, request, meta);
      case 'LOGIN_FAILED':
        return loginFailed(ctx, request, meta);
      case 'SESSION_CREATE':
        return sessionCreate(ctx, request, meta);
      case 'SESSION_GET':
        return sessionGet(ctx, request);
      case 'SESSION_REVOKE':
        return sessionRevoke(ctx, request, meta);
      case 'SESSION_REVOKE_ALL':
        return sessionRevokeAll(ctx, request, meta);
    }
  };
}
