import type { Logger } from 'pino';
import {
  DEFAULT_LOCKOUT,
  DEFAULT_SESSIONS,
  SessionsRepository,
  UsersRepository,
  type Database,
  type LockoutPolicy,
  type SessionPolicy,
} from '@gatehouse/database';
import type { StatusSources } from '../status/database-status.js';

/** What every handler may use. Built once per Back End. */
export interface HandlerContext {
  db: Database;
  users: UsersRepository;
  sessions: SessionsRepository;
  lockout: LockoutPolicy;
  logger: Logger;
  /** Where SYSTEM_STATUS learns the database's topology. */
  status: StatusSources;
}

export interface HandlerPolicies {
  lockout: LockoutPolicy;
  sessions: SessionPolicy;
}

/** 30 min idle and 12 h absolute sessions; 5 failures lock for 1 min, doubling up to 15 min. */
export const DEFAULT_POLICIES: HandlerPolicies = { lockout: DEFAULT_LOCKOUT, sessions: DEFAULT_SESSIONS };

export function createHandlerContext(db: Database, logger: Logger, policies: HandlerPolicies, status: StatusSources): HandlerContext {
  return {
    status,
    db,
    users: new UsersRepository(db),
    sessions: new SessionsRepository(db, policies.sessions),
    lockout: policies.lockout,
    logger,
  };
}
