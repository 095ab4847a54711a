import type { FastifyInstance } from 'fastify';
import type { RpcClient } from '@gatehouse/messaging';
import { Messages, type Reply } from '@gatehouse/protocol';
import { parseLoginForm, parseRegisterForm } from '../forms.js';
import { hashPassword, verifyPassword } from '../password.js';
import { renderForm } from '../render.js';
import { logIn, logOut } from '../session.js';

/** The single login failure text: it never says which of the two was wrong. */
export const INVALID_LOGIN = 'invalid email or password';
export const USER_EXISTS = 'user already exists';

export interface AuthDeps {
  rpc: RpcClient;
  /** Verified against when the email is unknown, so both failures cost one argon2 run. */
  dummyHash: string;
}

/** The Back End answered with something the protocol does not allow here. */
export class UnexpectedReplyError extends Error {
  override readonly name = 'UnexpectedReplyError';
  readonly statusCode = 502;
  constructor(action: string, detail: string) {
    super(`Unexpected ${action} reply: ${detail}`);
  }
}

export function registerAuthRoutes(app: FastifyInstance, deps: AuthDeps): void {
  // CSRF runs as a preHandler: only then has formbody parsed the `_csrf` field.
  const csrf = { preHandler: app.csrfProtection };

  app.get('/register', async (_request, reply) => renderForm(reply, 'register', { title: 'Register' }));

  app.post('/register', csrf, async (request, reply) => {
    const form = parseRegisterForm(request.body);
    if (!form.ok) return renderForm(reply, 'register', { title: 'Register', email: form.email, errors: form.errors }, 400);
    const { email, password } = form.value;
    // Only the hash leaves this process; the Back End never sees the password.
    const hash = await hashPassword(password);
    const result = await deps.rpc.call({ action: 'REGISTER', data: { email, hash } });
    if (result.success) {
      logIn(request, email);
      return reply.redirect('/', 303);
    }
    if (result.message === Messages.userExists) {
      return renderForm(reply, 'register', { title: 'Register', email, formError: USER_EXISTS }, 409);
    }
    throw new UnexpectedReplyError('REGISTER', result.message ?? 'success is false');
  });

  app.get('/login', async (_request, reply) => renderForm(reply, 'login', { title: 'Log in' }));

  app.post('/login', csrf, async (request, reply) => {
    const form = parseLoginForm(request.body);
    if (!form.ok) return renderForm(reply, 'login', { title: 'Log in', email: form.email, errors: form.errors }, 400);
    const { email, password } = form.value;
    const result = await deps.rpc.call({ action: 'GETHASH', data: { email } });
    const stored = storedHash(result, request.log);
    const matches = await verifyPassword(stored ?? deps.dummyHash, password);
    if (stored === undefined || !matches) {
      return renderForm(reply, 'login', { title: 'Log in', email, formError: INVALID_LOGIN }, 401);
    }
    logIn(request, email);
    return reply.redirect('/', 303);
  });

  app.get('/logout', async (_request, reply) => renderForm(reply, 'logout', { title: 'Log out' }));

  app.post('/logout', csrf, async (request, reply) => {
    logOut(request);
    return reply.redirect('/', 303);
  });
}

/** The user's hash, or undefined when the Back End knows no such user. */
function storedHash(result: Reply, log: { warn(obj: object, msg: string): void }): string | undefined {
  if (!result.success) {
    // The protocol's "not found" is a bare {success:false}; anything else is worth a look.
    if (result.message) log.warn({ backEndMessage: result.message }, 'GETHASH refused');
    return undefined;
  }
  if (typeof result.hash !== 'string' || result.hash === '') {
    throw new UnexpectedReplyError('GETHASH', 'success without a hash');
  }
  return result.hash;
}
