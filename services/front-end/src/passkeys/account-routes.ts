import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { credentialIdSchema, passkeyNameSchema, registrationResponseSchema } from '@gatehouse/protocol';
import { field } from '../pages/forms.js';
import { render, renderForm } from '../pages/render.js';
import { confirmPassword, type PasswordCheckDeps } from '../passwords/check-password.js';
import { checkPasswordLength } from '../passwords/password-policy.js';
import { accountPage, WRONG_CURRENT, type AccountDeps } from '../routes/account.js';
import { requireLogin } from '../routes/pages.js';
import { unavailable } from '../second-factors/login-routes.js';
import { credentialOf, MALFORMED_ANSWER, optionsReply, PASSKEY_MESSAGES } from './ceremony.js';
import type { PasskeyRefusal, PasskeySettings } from './passkey-settings.js';

export type PasskeyAccountDeps = Pick<AccountDeps, 'settings' | 'totp' | 'sessions' | 'rateLimitPerMinute'> & PasswordCheckDeps & { passkeys: PasskeySettings | undefined };

const NAME_PROBLEM = 'Give the passkey a name of 1 to 64 characters, such as "Work laptop".';

/**
 * The Account page's passkeys: add one (the ceremony in the page's script, its answer a normal
 * form post), and remove one after a confirmation page. Listing is part of the Account page.
 */
export function registerPasskeyAccountRoutes(app: FastifyInstance, deps: PasskeyAccountDeps): void {
  const form = {
    onRequest: app.rateLimit({ max: deps.rateLimitPerMinute, timeWindow: 60_000 }),
    preHandler: [app.csrfProtection, deps.sessions.loadUser, requireLogin],
  };

  app.post('/account/passkeys/options', form, async (request, reply) => {
    if (!deps.passkeys) return optionsReply(reply, { refused: 'not_configured' });
    return optionsReply(reply, await deps.passkeys.registrationOptions(request));
  });

  app.post('/account/passkeys', form, async (request, reply) => {
    if (!deps.passkeys) return unavailable(reply);
    const name = passkeyNameSchema.safeParse(field(request.body, 'passkey-name'));
    const password = checkPasswordLength(field(request.body, 'passkey-password'));
    const credential = credentialOf(request.body, registrationResponseSchema);
    if (!name.success || !password.ok) {
      return accountPage(deps, request, reply, { 'passkey-name': name.success ? undefined : NAME_PROBLEM, 'passkey-password': password.ok ? undefined : password.error });
    }
    if (!credential) return accountPage(deps, request, reply, { 'passkey-name': MALFORMED_ANSWER });
    // A stolen session alone must not add a lasting way in: the password too (a wrong one counts towards the lock).
    if (!(await confirmPassword(deps, request, request.user!, password.password))) return accountPage(deps, request, reply, { 'passkey-password': WRONG_CURRENT });
    const refused = await deps.passkeys.register(request, name.data, credential);
    if (refused === 'gone') return reply.redirect('/login?next=%2Faccount', 303);
    if (refused) return accountPage(deps, request, reply, { 'passkey-name': PASSKEY_MESSAGES[refused] });
    return reply.redirect('/account?done=passkey-added', 303);
  });

  // Without `confirm=yes`, the confirmation page; with it (posted from that page), the removal.
  app.post('/account/passkeys/remove', form, async (request, reply) => {
    if (!deps.passkeys) return unavailable(reply);
    const id = credentialIdSchema.safeParse(field(request.body, 'id'));
    if (!id.success) return reply.redirect('/account', 303);
    if (field(request.body, 'confirm') !== 'yes') return confirmPage(deps, request, reply, id.data);
    const refused = await deps.passkeys.remove(request, id.data);
    return finish(reply, refused);
  });
}

async function confirmPage(deps: PasskeyAccountDeps, request: FastifyRequest, reply: FastifyReply, id: string) {
  const status = await deps.totp?.status(request);
  const passkey = status?.passkeys?.find((p) => p.id === id);
  // Removed meanwhile (another tab), or never this account's: the Account page shows what there is.
  if (!passkey) return reply.redirect('/account', 303);
  return renderForm(reply, 'passkey-remove', { title: 'Remove a passkey', passkey });
}

function finish(reply: FastifyReply, refused: PasskeyRefusal | undefined) {
  if (refused === 'gone') return reply.redirect('/login?next=%2Faccount', 303);
  if (refused && refused !== 'not_enrolled') return render(reply, 'message', { title: 'Not removed', message: PASSKEY_MESSAGES[refused], links: [{ href: '/account', text: 'Back to your account' }] }, 409);
  return reply.redirect(refused ? '/account' : '/account?done=passkey-removed', 303);
}
