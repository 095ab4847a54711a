import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_PASSKEYS } from '@gatehouse/protocol';
import { browserFamily, type AccountSettings } from '../accounts/account-settings.js';
import type { AccountGateway } from '../accounts/accounts.js';
import { field } from '../pages/forms.js';
import { needsSessionStore, tooManyAttempts } from '../pages/errors.js';
import { render, renderForm } from '../pages/render.js';
import { confirmPassword } from '../passwords/check-password.js';
import type { Hasher } from '../passwords/hasher.js';
import { checkNewPassword, checkPasswordLength, PASSWORD_HINT, PASSWORD_RULES } from '../passwords/password-policy.js';
import type { SessionStore } from '../sessions/session-store.js';
import { requireLogin } from './pages.js';
import type { TotpSettings } from '../second-factors/totp.js';

export interface AccountDeps {
  /** Undefined with SESSION_STORE=cookie: the page then says what it needs. */
  settings: AccountSettings | undefined;
  /** The page's "Two-step login" section (second-factors/); undefined with cookies, as `settings`. */
  totp: TotpSettings | undefined;
  accounts: AccountGateway;
  sessions: SessionStore;
  hasher: Hasher;
  dummyHash: string;
  rateLimitPerMinute: number;
}

/** What the Account page says after each change (`/account?done=…`). */
export const ACCOUNT_DONE: Readonly<Record<string, string>> = {
  password: 'Your password was changed. Every other session of your account was ended.',
  sessions: 'The sessions you chose were ended.',
  'totp-off': 'Two-step login is off. Your recovery codes no longer work.',
  'passkey-added': 'Your passkey was added. You can log in with it now.',
  'passkey-removed': 'The passkey was removed.',
  email: 'We sent a link to your new address. Your address changes once you open it; until then, keep using this one.',
};
export const WRONG_CURRENT = 'That is not your current password. After several wrong passwords in a row, your account is locked for a few minutes.';

export type AccountErrors = Partial<Record<'current-password' | 'new-password' | 'new-email' | 'email-password' | 'delete-password' | 'disable-password' | 'disable-code' | 'passkey-name' | 'passkey-password', string>>;
type Errors = AccountErrors;

/** GET /account, and its forms: change the password, end sessions, delete the account. */
export function registerAccountRoutes(app: FastifyInstance, deps: AccountDeps): void {
  const page = { preHandler: [deps.sessions.loadUser, requireLogin] };
  const form = { ...page, onRequest: app.rateLimit({ max: deps.rateLimitPerMinute, timeWindow: 60_000 }), preHandler: [app.csrfProtection, ...page.preHandler] };

  app.get<{ Querystring: { done?: unknown } }>('/account', page, async (request, reply) => {
    const done = request.query.done;
    return accountPage(deps, request, reply, {}, typeof done === 'string' ? ACCOUNT_DONE[done] : undefined);
  });

  app.post('/account/password', form, async (request, reply) => {
    const { settings } = deps;
    if (!settings) return unavailable(reply);
    const email = request.user!;
    const current = checkPasswordLength(field(request.body, 'current-password'));
    const fresh = checkPasswordLength(field(request.body, 'new-password'));
    const errors: Errors = {};
    if (!current.ok) errors['current-password'] = current.error;
    const freshProblem = fresh.ok ? checkNewPassword(fresh.password, email) : fresh.error;
    if (freshProblem) errors['new-password'] = freshProblem;
    if (!current.ok || !fresh.ok || freshProblem) return accountPage(deps, request, reply, errors);
    if (!(await confirmPassword(deps, request, email, current.password))) return accountPage(deps, request, reply, { 'current-password': WRONG_CURRENT });
    // Only the hash leaves this process, as at registration.
    const changed = await settings.changePassword(request, await deps.hasher.hash(fresh.password, request.deadlineAt));
    return changed ? reply.redirect('/account?done=password', 303) : reply.redirect('/login?next=%2Faccount', 303);
  });

  app.post('/account/sessions', form, async (request, reply) => {
    if (!deps.settings) return unavailable(reply);
    const ref = field(request.body, 'ref');
    const ended = await deps.settings.endOthers(request, /^[0-9a-f]{16}$/.test(ref) ? ref : undefined);
    return ended === undefined ? reply.redirect('/login?next=%2Faccount', 303) : reply.redirect('/account?done=sessions', 303);
  });

  app.post('/account/delete', form, async (request, reply) => {
    if (!deps.settings) return unavailable(reply);
    const password = checkPasswordLength(field(request.body, 'delete-password'));
    if (!password.ok) return accountPage(deps, request, reply, { 'delete-password': password.error });
    if (!(await confirmPassword(deps, request, request.user!, password.password))) return accountPage(deps, request, reply, { 'delete-password': WRONG_CURRENT });
    if (!(await deps.settings.deleteAccount(request))) return reply.redirect('/login?next=%2Faccount', 303);
    await deps.sessions.end(request, reply);
    return reply.redirect('/?account-deleted=1', 303);
  });
}

/** The Account page, with a form's errors or a notice. */
export async function accountPage(deps: Pick<AccountDeps, 'settings' | 'totp'>, request: FastifyRequest, reply: FastifyReply, errors: Errors, notice?: string) {
  if (!deps.settings) return unavailable(reply);
  const [sessions, secondFactors] = await Promise.all([deps.settings.listSessions(request), deps.totp?.status(request)]);
  if (!sessions) return reply.redirect('/login?next=%2Faccount', 303);
  const listed = sessions.map((s) => ({ ...s, browser: browserFamily(s.userAgent) }));
  const status = Object.keys(errors).length > 0 ? 400 : 200;
  return renderForm(reply, 'account', { title: 'Your account', email: request.user, sessions: listed, secondFactors, notice, errors, rules: PASSWORD_RULES, policy: PASSWORD_HINT, maxPasskeys: MAX_PASSKEYS }, status);
}


const unavailable = (reply: FastifyReply) => needsSessionStore(reply, 'The Account page', { href: '/', text: 'Back to the home page' });
