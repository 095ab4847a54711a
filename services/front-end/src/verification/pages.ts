import type { FastifyReply } from 'fastify';
import type { LinkState } from '../passwords/password-resets.js';
import { needsSessionStore } from '../pages/errors.js';
import { render, renderForm } from '../pages/render.js';

/** The one answer to "send it again", whether or not a mail went (no account, verified, over budget). */
export const VERIFY_SENT = "If that account's address still needs confirming, we've sent it a new link. Each link works once, for a limited time.";
/** After registering with EMAIL_VERIFICATION=required: no session yet. */
export const CHECK_YOUR_EMAIL = "We've sent a link to your email address. Open it to confirm the address; it logs you in.";
/** A right password, but EMAIL_VERIFICATION=required and the address is unconfirmed. */
export const VERIFY_FIRST = 'Confirm your email address before you log in: open the link we sent you when you registered. If you cannot find it, we can send a new one.';
export const CHANGE_TAKEN = 'Another account started using that address after you asked for the change, so your address was not changed. Choose another one on your Account page.';

const LINK_PROBLEMS: Record<Exclude<LinkState['state'], 'valid'>, { status: number; text: string }> = {
  used: { status: 410, text: 'This link was used already: each link works once.' },
  expired: { status: 410, text: 'This link has expired. Ask for a new one.' },
  unknown: { status: 404, text: 'This link is not valid. Check that you opened the whole link from the mail.' },
};

/** A link that cannot be spent, and where to get a new one. */
export function linkProblem(reply: FastifyReply, state: Exclude<LinkState['state'], 'valid'>, again: { href: string; text: string }) {
  const { status, text } = LINK_PROBLEMS[state];
  return render(reply, 'message', { title: 'This link does not work', message: text, links: [again] }, status);
}

/** The page a link in a mail opens: one button, so a mail scanner that follows links spends nothing. */
export function confirmPage(reply: FastifyReply, kind: 'verify' | 'change', token: string) {
  const page = kind === 'verify'
    ? { title: 'Confirm your email address', action: '/verify-email', intro: 'Confirm that this address is yours. This logs you in.', button: 'Confirm my address' }
    : { title: 'Confirm your new email address', action: '/confirm-email-change', intro: 'Confirm that your account should use this address from now on.', button: 'Confirm the change' };
  return renderForm(reply, 'confirm-link', { ...page, token });
}

/** The form that sends a verification link again; `intro` says why it is shown. */
export function resendPage(reply: FastifyReply, data: { intro: string; email?: string; error?: string }, status = 200) {
  return renderForm(reply, 'verify-resend', { title: 'Confirm your email address', ...data, errors: data.error ? { email: data.error } : {} }, status);
}

export const unavailable = (reply: FastifyReply) => needsSessionStore(reply, 'Confirming email addresses', { href: '/', text: 'Back to the home page' });
