import type { Logger } from 'pino';
import {
  DEFAULT_LOCKOUT,
  DEFAULT_RESETS,
  DEFAULT_SESSIONS,
  DEFAULT_VERIFICATIONS,
  SessionsRepository,
  UsersRepository,
  type Database,
  type LockoutPolicy,
  type ResetPolicy,
  type SessionPolicy,
  type VerificationPolicy,
} from '@gatehouse/database';
import type { StatusSources } from '../status/database-status.js';
import type { MfaKeyring } from '../second-factors/secret-box.js';
import { RelyingParty } from '../passkeys/relying-party.js';
import type { WebauthnSettings } from '../passkeys/webauthn-settings.js';

/** What every handler may use. Built once per Back End. */
export interface HandlerContext {
  db: Database;
  users: UsersRepository;
  sessions: SessionsRepository;
  lockout: LockoutPolicy;
  logger: Logger;
  /** Where SYSTEM_STATUS learns the database's topology. */
  status: StatusSources;
  resets: ResetPolicy;
  /** Verification and change-of-address links: how long they work, how many an hour. */
  verifications: VerificationPolicy;
  /** Told after a transaction queued mail, so the outbox is relayed at once (mail/outbox-relay.ts). */
  outbox: OutboxKick;
  /** Seals TOTP secrets; undefined without MFA_ENCRYPTION_KEY, and then nobody can enrol. */
  mfaKeys: MfaKeyring | undefined;
  /** Makes and verifies passkey ceremonies; undefined without WebAuthn settings, and then nobody can add a passkey. */
  passkeys: RelyingParty | undefined;
}

export interface OutboxKick {
  /** With `mailId`: that one mail was just committed, hand it over; without: relay what is unpublished. */
  kick(mailId?: string): void;
}

/** For a handler with no relay (unit tests, tools): the mail waits in the outbox for one. */
export const NO_RELAY: OutboxKick = { kick() {} };

export interface HandlerPolicies {
  lockout: LockoutPolicy;
  sessions: SessionPolicy;
  resets: ResetPolicy;
  /** MFA_ENCRYPTION_KEY (and its predecessors), when set. */
  mfaKeys?: MfaKeyring | undefined;
  verifications: VerificationPolicy;
  /** WEBAUTHN_RP_ID and WEBAUTHN_ORIGIN (or PUBLIC_URL's), when usable. */
  webauthn?: WebauthnSettings | undefined;
}

/**
 * 30 min idle and 12 h absolute sessions; 5 failures lock for 1 min, doubling up to 15 min;
 * reset links valid 30 min, 3 per address per hour; verification links valid 24 h, 3 an hour.
 */
export const DEFAULT_POLICIES: HandlerPolicies = { lockout: DEFAULT_LOCKOUT, sessions: DEFAULT_SESSIONS, resets: DEFAULT_RESETS, verifications: DEFAULT_VERIFICATIONS };

export function createHandlerContext(db: Database, logger: Logger, policies: HandlerPolicies, status: StatusSources, outbox: OutboxKick): HandlerContext {
  return {
    status,
    resets: policies.resets,
    verifications: policies.verifications,
    outbox,
    db,
    users: new UsersRepository(db),
    sessions: new SessionsRepository(db, policies.sessions),
    lockout: policies.lockout,
    logger,
    mfaKeys: policies.mfaKeys,
    passkeys: policies.webauthn && new RelyingParty(policies.webauthn, (reason) => logger.info({ reason }, 'A passkey answer was refused')),
  };
}
