import type { FastifyRequest } from 'fastify';
import type { RpcClient } from '@gatehouse/messaging';
import type { PasskeyListing } from '@gatehouse/protocol';
import { callFor } from '../http/rpc-call.js';
import { clientInfo } from '../http/client-info.js';
import type { BackEndAccounts } from '../accounts/back-end-accounts.js';
import type { BackEndSessionStore } from '../sessions/sessions.js';
import { UnexpectedReplyError } from '../unexpected-reply.js';

export interface SecondFactorStatus {
  totp: boolean;
  recoveryCodesLeft: number;
  /** The account's passkeys; undefined when the Back End has no WebAuthn settings (no Passkeys section then). */
  passkeys?: PasskeyListing[] | undefined;
}

/** Why a change was refused; undefined: done. `gone`: the session ended meanwhile. */
export type TotpRefusal = 'wrong' | 'not_enrolled' | 'already_enabled' | 'not_configured' | 'gone';

/**
 * The Account page's TOTP and recovery-code actions (SESSION_STORE=back-end), each named by the
 * browser's own session. The secret comes here once, to be shown at enrolment; the Back End
 * checks every code; recovery codes leave this process only as hashes.
 */
export class TotpSettings {
  constructor(
    private readonly rpc: RpcClient,
    private readonly sessions: BackEndSessionStore,
    /** Whose LOGIN_ATTEMPT checked the password before TOTP goes on or off: its count is given back. */
    private readonly accounts: BackEndAccounts,
  ) {}

  async status(request: FastifyRequest): Promise<SecondFactorStatus | undefined> {
    const tokenHash = this.sessions.tokenHash(request);
    if (!tokenHash) return undefined;
    const result = await callFor(this.rpc, request, { action: 'MFA_STATUS', data: { tokenHash } });
    return result.success && result.secondFactors ? { ...result.secondFactors, passkeys: result.passkeys } : undefined;
  }

  /** The secret to show, or why there is none. */
  async start(request: FastifyRequest): Promise<{ secret: string } | { refused: TotpRefusal }> {
    const tokenHash = this.sessions.tokenHash(request);
    if (!tokenHash) return { refused: 'gone' };
    const result = await callFor(this.rpc, request, { action: 'TOTP_ENROL_START', data: { tokenHash, client: clientInfo(request) } });
    if (result.success && typeof result.totpSecret === 'string') return { secret: result.totpSecret };
    return { refused: refusal('TOTP_ENROL_START', result) };
  }

  /** After the password was checked (passwords/check-password.ts). */
  confirm(request: FastifyRequest, code: string, recoveryCodeHashes: string[]): Promise<TotpRefusal | undefined> {
    const attemptId = this.accounts.takeAttempt(request);
    return this.#change(request, 'TOTP_ENROL_CONFIRM', { code, recoveryCodeHashes, ...(attemptId ? { attemptId } : {}) });
  }

  replaceRecoveryCodes(request: FastifyRequest, recoveryCodeHashes: string[]): Promise<TotpRefusal | undefined> {
    return this.#change(request, 'RECOVERY_CODES_REPLACE', { recoveryCodeHashes });
  }

  /** After the password was checked (passwords/check-password.ts). */
  disable(request: FastifyRequest, code: string): Promise<TotpRefusal | undefined> {
    const attemptId = this.accounts.takeAttempt(request);
    return this.#change(request, 'TOTP_DISABLE', { code, ...(attemptId ? { attemptId } : {}) });
  }

  async #change(
    request: FastifyRequest,
    action: 'TOTP_ENROL_CONFIRM' | 'RECOVERY_CODES_REPLACE' | 'TOTP_DISABLE',
    fields: { code?: string; recoveryCodeHashes?: string[]; attemptId?: string },
  ): Promise<TotpRefusal | undefined> {
    const tokenHash = this.sessions.tokenHash(request);
    if (!tokenHash) return 'gone';
    const data = { tokenHash, client: clientInfo(request), ...fields } as never;
    const result = await callFor(this.rpc, request, { action, data });
    return result.success ? undefined : refusal(action, result);
  }
}

function refusal(action: string, result: { codeState?: string; message?: string }): TotpRefusal {
  const state = result.codeState;
  if (state === 'wrong' || state === 'not_enrolled' || state === 'already_enabled' || state === 'not_configured') return state;
  if (state === undefined && result.message === undefined) return 'gone'; // a bare refusal: the session is over
  throw new UnexpectedReplyError(action, result.message ?? `codeState ${String(state)}`);
}
