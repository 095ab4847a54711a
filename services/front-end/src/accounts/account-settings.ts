import type { FastifyRequest } from 'fastify';
import type { RpcClient } from '@gatehouse/messaging';
import type { SessionListing } from '@gatehouse/protocol';
import { callFor } from '../http/rpc-call.js';
import { clientInfo } from '../http/client-info.js';
import type { BackEndAccounts } from './back-end-accounts.js';
import type { BackEndSessionStore } from '../sessions/sessions.js';


/**
 * The Account page's actions (SESSION_STORE=back-end). Each names the account by the browser's
 * own session, never by an email the page sent: a session that ended changes nothing.
 */
export class AccountSettings {
  constructor(
    private readonly rpc: RpcClient,
    private readonly sessions: BackEndSessionStore,
    /** Whose LOGIN_ATTEMPT checked the current password: its count is given back by the change. */
    private readonly accounts: BackEndAccounts,
  ) {}

  async listSessions(request: FastifyRequest): Promise<SessionListing[] | undefined> {
    const tokenHash = this.sessions.tokenHash(request);
    if (!tokenHash) return undefined;
    const result = await callFor(this.rpc, request, { action: 'ACCOUNT_SESSIONS', data: { tokenHash } });
    return result.success ? result.sessions : undefined;
  }

  /** Ends the session `ref`, or every other one; how many ended (undefined: this session is over). */
  async endOthers(request: FastifyRequest, ref?: string): Promise<number | undefined> {
    const tokenHash = this.sessions.tokenHash(request);
    if (!tokenHash) return undefined;
    const result = await callFor(this.rpc, request, { action: 'SESSION_END_OTHERS', data: { tokenHash, ...(ref ? { ref } : {}), client: clientInfo(request) } });
    return result.success ? (result.revoked ?? 0) : undefined;
  }

  /** The new hash; every other session ends. False when this session is over. */
  async changePassword(request: FastifyRequest, hash: string): Promise<boolean> {
    const tokenHash = this.sessions.tokenHash(request);
    const attemptId = this.accounts.takeAttempt(request);
    if (!tokenHash) return false;
    const data = { tokenHash, hash, client: clientInfo(request), ...(attemptId ? { attemptId } : {}) };
    return (await callFor(this.rpc, request, { action: 'PASSWORD_CHANGE', data })).success;
  }

  async deleteAccount(request: FastifyRequest): Promise<boolean> {
    const tokenHash = this.sessions.tokenHash(request);
    const attemptId = this.accounts.takeAttempt(request);
    if (!tokenHash) return false;
    const data = { tokenHash, client: clientInfo(request), ...(attemptId ? { attemptId } : {}) };
    return (await callFor(this.rpc, request, { action: 'ACCOUNT_DELETE', data })).success;
  }
}

const BROWSERS: [string, RegExp][] = [['Edge', /Edg\//], ['Opera', /OPR\//], ['Firefox', /Firefox\//], ['Chrome', /Chrome\//], ['Safari', /Safari\//]];
const SYSTEMS: [string, RegExp][] = [['Android', /Android/], ['iOS', /iPhone|iPad/], ['Windows', /Windows/], ['macOS', /Mac OS X/], ['Linux', /Linux/]];

/** "Firefox on Linux": enough to recognise a device, without a user-agent parser's guesswork. */
export function browserFamily(userAgent: string | null): string {
  if (!userAgent) return 'Unknown browser';
  const browser = BROWSERS.find(([, re]) => re.test(userAgent))?.[0] ?? 'A browser';
  const system = SYSTEMS.find(([, re]) => re.test(userAgent))?.[0];
  return system ? `${browser} on ${system}` : browser;
}
