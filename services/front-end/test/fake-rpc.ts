import type { Reply, Request, RequestInput } from '@gatehouse/protocol';
import { Messages } from '@gatehouse/protocol';
import type { CallOptions, RpcClient } from '@gatehouse/messaging';

/** The fixed time a locked account reports; far ahead, so a test never sees it lapse. */
export const LOCKED_UNTIL = '2099-01-01T00:00:00.000Z';
/** Failures in a row that lock an account, as the Back End counts them. */
export const LOCKOUT_THRESHOLD = 5;
const IDLE_MS = 30 * 60_000;
const ABSOLUTE_MS = 12 * 3600_000;

interface Session {
  email: string;
  createdAt: number;
  lastSeenAt: number;
  revoked: boolean;
}

/**
 * An in-memory Back End behind the RpcClient interface. It answers every action as the
 * protocol says (sessions with their timeouts, lockout after 5 failures in a row) and
 * records every request so tests can inspect them.
 */
export class FakeRpc implements RpcClient {
  readonly users = new Map<string, string>();
  readonly sessions = new Map<string, Session>();
  readonly failures = new Map<string, number>();
  /** LOGIN_ATTEMPTs not refunded yet: attemptId → email. */
  readonly #open = new Map<string, string>();
  readonly requests: RequestInput[] = [];
  /** The trace id each call carried (CallOptions.reqId), in order. */
  readonly reqIds: (string | undefined)[] = [];
  ready = true;
  /** When set, calls fail with this error instead of answering. */
  failWith: Error | undefined;
  /** When set, only calls of these actions fail with `failWith`. */
  failActions: ReadonlySet<string> | undefined;
  /** The clock sessions are timed with; tests move it forward. */
  now = Date.now();
  /** As a Back End from before REGISTER could start the session: tokenHash is ignored. */
  registerIgnoresTokenHash = false;

  /**
   * How often the login page asked PASSKEY_SUPPORT (passkeys/passkey-logins.ts), kept apart from
   * `requests`: asked when the page is opened, at most once a minute, whatever the form then does.
   */
  passkeySupportAsked = 0;

  async call(request: RequestInput, options?: CallOptions): Promise<Reply> {
    if (request.action === 'PASSKEY_SUPPORT') {
      this.passkeySupportAsked++;
      return { success: true, passkeysOffered: false };
    }
    this.requests.push(structuredClone(request));
    this.reqIds.push(options?.reqId);
    if (this.failWith && (!this.failActions || this.failActions.has(request.action))) throw this.failWith;
    return this.answer(request as Request);
  }

  /** The actions the Front End sent, in order. */
  actions(): string[] {
    return this.requests.map((r) => r.action);
  }

  protected answer(request: Request): Reply {
    switch (request.action) {
      case 'REGISTER':
        if (this.users.has(request.data.email)) return { success: false, message: Messages.userExists };
        this.users.set(request.data.email, request.data.hash);
        if (request.data.tokenHash === undefined || this.registerIgnoresTokenHash) return { success: true };
        this.#newSession(request.data.tokenHash, request.data.email);
        return { success: true, session: true };
      case 'GETHASH': {
        const hash = this.users.get(request.data.email);
        return { success: hash !== undefined, ...(hash !== undefined ? { hash } : {}), ...this.#lock(request.data.email) };
      }
      case 'UPDATE_HASH':
        if (!this.users.has(request.data.email)) return { success: false };
        this.users.set(request.data.email, request.data.hash);
        return { success: true };
      case 'LOGIN_ATTEMPT':
        return this.#attempt(request.data.email, request.data.attemptId);
      case 'LOGIN_ABANDONED':
        return { success: true, refunded: this.#refund(request.data.attemptId) };
      case 'LOGIN_FAILED':
        if (!request.data.counted) this.#countFailure(request.data.email);
        return { success: true, ...this.#lock(request.data.email) };
      case 'SESSION_CREATE':
        if ((request.data.reason ?? 'login') === 'login') this.failures.delete(request.data.email);
        this.#newSession(request.data.tokenHash, request.data.email);
        return { success: true };
      case 'SESSION_GET':
        return this.#getSession(request.data.tokenHash);
      case 'SESSION_REVOKE': {
        const session = this.sessions.get(request.data.tokenHash);
        if (session) session.revoked = true;
        return { success: true };
      }
      case 'SESSION_REVOKE_ALL':
        return { success: true, revoked: this.#revokeAll(request.data.tokenHash) };
      case 'SYSTEM_STATUS':
        return { success: true, status: FAKE_STATUS };
      default:
        // Password resets and mail are tested against the real Back End (test/integration).
        return { success: false, message: `${request.action} is not faked` };
    }
  }

  /** As the Back End: a locked account is refused; otherwise the attempt counts before the hash is sent. */
  #attempt(email: string, attemptId: string | undefined): Reply {
    const lock = this.#lock(email);
    if (lock.lockedUntil) return { success: false, ...lock };
    this.#countFailure(email);
    if (attemptId !== undefined) this.#open.set(attemptId, email);
    const hash = this.users.get(email);
    return hash === undefined ? { success: false } : { success: true, hash };
  }

  /** As the Back End: what the attempt counted is undone once, never below zero. */
  #refund(attemptId: string): boolean {
    const email = this.#open.get(attemptId);
    if (email === undefined) return false;
    this.#open.delete(attemptId);
    this.failures.set(email, Math.max((this.failures.get(email) ?? 0) - 1, 0));
    return true;
  }

  #newSession(tokenHash: string, email: string): void {
    this.sessions.set(tokenHash, { email, createdAt: this.now, lastSeenAt: this.now, revoked: false });
  }

  #countFailure(email: string): void {
    this.failures.set(email, (this.failures.get(email) ?? 0) + 1);
  }

  #lock(email: string): { lockedUntil?: string } {
    return (this.failures.get(email) ?? 0) >= LOCKOUT_THRESHOLD ? { lockedUntil: LOCKED_UNTIL } : {};
  }

  #getSession(tokenHash: string): Reply {
    const session = this.sessions.get(tokenHash);
    const alive = session && !session.revoked && this.now - session.lastSeenAt <= IDLE_MS && this.now - session.createdAt <= ABSOLUTE_MS;
    if (!alive) return { success: false };
    session.lastSeenAt = this.now;
    return { success: true, email: session.email };
  }

  #revokeAll(tokenHash: string): number {
    const owner = this.sessions.get(tokenHash)?.email;
    if (owner === undefined) return 0;
    let revoked = 0;
    for (const session of this.sessions.values()) {
      if (session.email === owner && !session.revoked) {
        session.revoked = true;
        revoked++;
      }
    }
    return revoked;
  }

  isReady(): boolean {
    return this.ready;
  }

  async close(): Promise<void> {
    this.ready = false;
  }
}

/** What the fake Back End answers to SYSTEM_STATUS: one primary, no standbys, no events. */
export const FAKE_STATUS = {
  backEnd: { instance: 'fake/1', startedAt: '2026-01-01T00:00:00.000Z' },
  database: { source: 'pg_stat_replication' as const, primary: 'db:5432', nodes: [{ name: 'db:5432', role: 'primary', state: 'running' }], note: 'no standbys' },
  authEvents: [],
  authEventsPerMinute: [],
};
