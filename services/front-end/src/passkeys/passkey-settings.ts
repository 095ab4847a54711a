import type { FastifyRequest } from 'fastify';
import type { RpcClient } from '@gatehouse/messaging';
import type { RegistrationResponse } from '@gatehouse/protocol';
import { callFor } from '../http/rpc-call.js';
import { clientInfo } from '../http/client-info.js';
import type { BackEndAccounts } from '../accounts/back-end-accounts.js';
import type { BackEndSessionStore } from '../sessions/sessions.js';
import { UnexpectedReplyError } from '../unexpected-reply.js';

/**
 * Why a passkey change was refused; undefined: done. `gone`: the session ended meanwhile;
 * `expired`: the ceremony's challenge was used, unknown or out of time; `wrong`: the answer did not
 * verify (origin, RP ID, format); `exists`: that authenticator holds a passkey here already;
 * `limit`: the account holds the most passkeys it may.
 */
export type PasskeyRefusal = 'gone' | 'expired' | 'wrong' | 'exists' | 'limit' | 'not_enrolled' | 'not_configured';

/** The Account page's passkey actions (SESSION_STORE=back-end), each named by the browser's own session. */
export class PasskeySettings {
  constructor(
    private readonly rpc: RpcClient,
    private readonly sessions: BackEndSessionStore,
    /** Whose LOGIN_ATTEMPT checked the password before a passkey is added: its count is given back. */
    private readonly accounts: BackEndAccounts,
  ) {}

  /** Options for navigator.credentials.create(), or why there are none. */
  async registrationOptions(request: FastifyRequest): Promise<{ options: Record<string, unknown> } | { refused: PasskeyRefusal }> {
    const tokenHash = this.sessions.tokenHash(request);
    if (!tokenHash) return { refused: 'gone' };
    const result = await callFor(this.rpc, request, { action: 'PASSKEY_REGISTER_OPTIONS', data: { tokenHash, client: clientInfo(request) } });
    if (result.success && result.passkeyOptions) return { options: result.passkeyOptions };
    return { refused: refusal('PASSKEY_REGISTER_OPTIONS', result) };
  }

  /** After the password was checked (passwords/check-password.ts). */
  async register(request: FastifyRequest, name: string, credential: RegistrationResponse): Promise<PasskeyRefusal | undefined> {
    const tokenHash = this.sessions.tokenHash(request);
    if (!tokenHash) return 'gone';
    const attemptId = this.accounts.takeAttempt(request);
    const data = { tokenHash, name, credential, client: clientInfo(request), ...(attemptId ? { attemptId } : {}) };
    const result = await callFor(this.rpc, request, { action: 'PASSKEY_REGISTER', data });
    return result.success ? undefined : refusal('PASSKEY_REGISTER', result);
  }

  async remove(request: FastifyRequest, credentialId: string): Promise<PasskeyRefusal | undefined> {
    const tokenHash = this.sessions.tokenHash(request);
    if (!tokenHash) return 'gone';
    const result = await callFor(this.rpc, request, { action: 'PASSKEY_REMOVE', data: { tokenHash, credentialId, client: clientInfo(request) } });
    return result.success ? undefined : refusal('PASSKEY_REMOVE', result);
  }
}

/** A refusal the pages know how to explain; anything else is a Back End that answers what we do not expect. */
export function refusal(action: string, result: { codeState?: string; passkeyState?: string; message?: string }): PasskeyRefusal {
  if (result.passkeyState === 'exists' || result.passkeyState === 'limit') return result.passkeyState;
  const state = result.codeState;
  if (state === 'wrong' || state === 'expired' || state === 'not_enrolled' || state === 'not_configured') return state;
  if (state === undefined && result.message === undefined) return 'gone'; // a bare refusal: the session is over
  throw new UnexpectedReplyError(action, result.message ?? `codeState ${String(state)}`);
}
