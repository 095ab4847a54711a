import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { field } from '../pages/forms.js';
import { renderForm } from '../pages/render.js';
import { confirmPassword, type PasswordCheckDeps } from '../passwords/check-password.js';
import { checkPasswordLength } from '../passwords/password-policy.js';
import { accountPage, WRONG_CURRENT, type AccountDeps } from '../routes/account.js';
import { requireLogin } from '../routes/pages.js';
import { CODE_FORMAT, unavailable, WRONG_CODE } from './login-routes.js';
import { otpauthUri, qrCodeSvg } from './qr-code.js';
import { newRecoveryCodes, totpCodeOf } from './recovery-codes.js';
import type { TotpRefusal, TotpSettings } from './totp.js';

/** The name authenticator apps show next to the account. */
const ISSUER = 'Gatehouse';
const NOT_CONFIGURED = 'Authenticator apps are not set up on this site yet: its operator has to set MFA_ENCRYPTION_KEY.';
const DISABLE_CODE = 'Enter the current 6-digit code from your authenticator app.';

type EnrolErrors = Partial<Record<'enrol-password' | 'totp-code', string>>;

export type TotpAccountDeps = Pick<AccountDeps, 'settings' | 'totp' | 'sessions' | 'rateLimitPerMinute'> & PasswordCheckDeps;

/** The Account page's "Two-step login" forms: set up an app, new recovery codes, turn it off. */
export function registerTotpAccountRoutes(app: FastifyInstance, deps: TotpAccountDeps): void {
  const form = {
    onRequest: app.rateLimit({ max: deps.rateLimitPerMinute, timeWindow: 60_000 }),
    preHandler: [app.csrfProtection, deps.sessions.loadUser, requireLogin],
  };

  app.post('/account/totp/start', form, async (request, reply) => {
    if (!deps.totp) return unavailable(reply);
    return enrolPage(deps.totp, request, reply);
  });

  app.post('/account/totp/confirm', form, async (request, reply) => {
    if (!deps.totp) return unavailable(reply);
    const password = checkPasswordLength(field(request.body, 'enrol-password'));
    const code = totpCodeOf(field(request.body, 'totp-code'));
    if (!password.ok || !code) return enrolPage(deps.totp, request, reply, { 'enrol-password': password.ok ? undefined : password.error, 'totp-code': code ? undefined : CODE_FORMAT });
    if (!(await confirmPassword(deps, request, request.user!, password.password))) return enrolPage(deps.totp, request, reply, { 'enrol-password': WRONG_CURRENT });
    const { codes, hashes } = newRecoveryCodes();
    const refused = await deps.totp.confirm(request, code, hashes);
    if (refused === 'wrong') return enrolPage(deps.totp, request, reply, { 'totp-code': WRONG_CODE });
    if (refused) return refusal(reply, refused);
    return renderForm(reply, 'recovery-codes', { title: 'Save your recovery codes', codes, enrolled: true });
  });

  app.post('/account/recovery-codes', form, async (request, reply) => {
    if (!deps.totp) return unavailable(reply);
    const { codes, hashes } = newRecoveryCodes();
    const refused = await deps.totp.replaceRecoveryCodes(request, hashes);
    if (refused) return refusal(reply, refused);
    return renderForm(reply, 'recovery-codes', { title: 'Save your recovery codes', codes, enrolled: false });
  });

  app.post('/account/totp/disable', form, async (request, reply) => {
    if (!deps.totp) return unavailable(reply);
    const password = checkPasswordLength(field(request.body, 'disable-password'));
    const code = totpCodeOf(field(request.body, 'disable-code'));
    if (!password.ok || !code) {
      return accountPage(deps, request, reply, { 'disable-password': password.ok ? undefined : password.error, 'disable-code': code ? undefined : DISABLE_CODE });
    }
    if (!(await confirmPassword(deps, request, request.user!, password.password))) return accountPage(deps, request, reply, { 'disable-password': WRONG_CURRENT });
    const refused = await deps.totp.disable(request, code);
    if (refused === 'wrong') return accountPage(deps, request, reply, { 'disable-code': WRONG_CODE });
    if (refused) return refusal(reply, refused);
    return reply.redirect('/account?done=totp-off', 303);
  });
}

/** The QR code and the secret as text (resumed within its time, so a mistyped code keeps the app's entry valid). */
async function enrolPage(totp: TotpSettings, request: FastifyRequest, reply: FastifyReply, errors: EnrolErrors = {}) {
  const started = await totp.start(request);
  if ('refused' in started) return refusal(reply, started.refused);
  const qr = await qrCodeSvg(otpauthUri(started.secret, request.user!, ISSUER));
  const grouped = started.secret.match(/.{1,4}/g)!.join(' ');
  const failed = Object.values(errors).some(Boolean);
  return renderForm(reply, 'totp-enrol', { title: 'Set up an authenticator app', qr, secret: grouped, errors }, failed ? 400 : 200);
}

function refusal(reply: FastifyReply, refused: TotpRefusal) {
  if (refused === 'gone') return reply.redirect('/login?next=%2Faccount', 303);
  if (refused === 'not_configured') return unavailable(reply, NOT_CONFIGURED);
  // Already on (another tab finished first), or already off: the Account page shows which.
  return reply.redirect('/account', 303);
}
