import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { RpcClient } from '@gatehouse/messaging';
import type { AccountGateway } from '../accounts/accounts.js';
import { BackEndAccounts } from '../accounts/back-end-accounts.js';
import type { FrontEndConfig } from '../config.js';
import { CookieSessionStore } from './cookie-sessions.js';
import { deriveDeviceCookieKey, type CookieSettings } from '../http/cookies.js';
import { DeviceCookies, DeviceTrust } from './device-cookies.js';
import type { SessionStore } from './session-store.js';
import { BackEndSessionStore } from './sessions.js';
import { TextbookAccounts } from '../accounts/textbook-accounts.js';
import { PasswordResets } from '../passwords/password-resets.js';
import { AccountSettings } from '../accounts/account-settings.js';
import { PendingLogins } from '../second-factors/pending-login.js';
import { TotpSettings } from '../second-factors/totp.js';
import { PasskeyLogins } from '../passkeys/passkey-logins.js';
import { PasskeySettings } from '../passkeys/passkey-settings.js';
import { EmailVerification } from '../verification/email-verification.js';

/** The session store and the account actions that go with it: one pair per SESSION_STORE. */
export interface SessionMode {
  sessions: SessionStore;
  accounts: AccountGateway;
  /** The account pages that need the Back End's sessions (password reset); absent with cookies. */
  backEnd?: {
    sessions: BackEndSessionStore;
    resets: PasswordResets;
    settings: AccountSettings;
    totp: TotpSettings;
    pendingLogins: PendingLogins;
    passkeys: PasskeySettings;
    passkeyLogins: PasskeyLogins;
    verification: EmailVerification;
  };
}

type ModeSettings = Pick<FrontEndConfig, 'sessionStore' | 'emailVerification' | 'sessionAbsoluteHours' | 'sessionIdleMinutes' | 'rateLimitPerMinute' | 'sessionSecret'>;

/**
 * Chosen once at start-up from SESSION_STORE; the routes only see the interfaces. `cookie`
 * needs nothing of the Back End but REGISTER and GETHASH, and says once what it does without.
 */
export async function setUpSessionMode(app: FastifyInstance, rpc: RpcClient, config: ModeSettings, cookies: CookieSettings, log: FastifyBaseLogger): Promise<SessionMode> {
  if (config.sessionStore === 'back-end') {
    const noticeUnverified = config.emailVerification === 'optional';
    const sessions = new BackEndSessionStore(rpc, { cookies, absoluteHours: config.sessionAbsoluteHours, noticeUnverified });
    const devices = new DeviceTrust(new DeviceCookies(deriveDeviceCookieKey(config.sessionSecret)), cookies.device, cookies.attributes);
    const pendingLogins = new PendingLogins(rpc, sessions, devices, cookies, config.rateLimitPerMinute);
    const accounts = new BackEndAccounts(rpc, sessions, config.rateLimitPerMinute, devices, pendingLogins, config.emailVerification);
    const backEnd = {
      sessions,
      resets: new PasswordResets(rpc, config.rateLimitPerMinute),
      settings: new AccountSettings(rpc, sessions, accounts),
      totp: new TotpSettings(rpc, sessions, accounts),
      pendingLogins,
      passkeys: new PasskeySettings(rpc, sessions, accounts),
      passkeyLogins: new PasskeyLogins(rpc, sessions, pendingLogins, cookies, config.rateLimitPerMinute, config.emailVerification === 'required'),
      verification: new EmailVerification(rpc, sessions, accounts, config.rateLimitPerMinute),
    };
    return { sessions, accounts, backEnd };
  }
  const sessions = new CookieSessionStore({ cookies, absoluteHours: config.sessionAbsoluteHours, idleMinutes: config.sessionIdleMinutes });
  await sessions.register(app, config.sessionSecret);
  log.info(
    { sessionStore: 'cookie' },
    'Sessions are kept in encrypted cookies, using only REGISTER and GETHASH: no account lockout, no "log out everywhere", no audit log, and a session cannot be ended server-side before it expires',
  );
  return { sessions, accounts: new TextbookAccounts(rpc, sessions) };
}
