import type { FastifyReply } from 'fastify';
import { MAX_PASSKEYS } from '@gatehouse/protocol';
import { field } from '../pages/forms.js';
import type { PasskeyRefusal } from './passkey-settings.js';

/** What the browser's script shows when a ceremony cannot start; the server's pages say the same. */
export const PASSKEY_MESSAGES: Record<PasskeyRefusal, string> = {
  gone: 'Your session has ended. Log in again.',
  expired: 'That took too long, or was used already. Start again.',
  wrong: 'Your passkey could not be checked for this site. Try again, or use another way to log in.',
  exists: 'That authenticator already holds a passkey for this site.',
  limit: `Your account has ${MAX_PASSKEYS} passkeys, the most it may have. Remove one to add another.`,
  not_enrolled: 'Your account has no passkey. Use your code instead.',
  not_configured: 'Passkeys are not set up on this site yet: its operator has to set WEBAUTHN_ORIGIN (or PUBLIC_URL).',
};
const STATUS: Record<PasskeyRefusal, number> = { gone: 401, expired: 401, wrong: 400, exists: 409, limit: 409, not_enrolled: 409, not_configured: 501 };

/**
 * Answers a ceremony's options request (the page's script fetches them): the options as JSON, or
 * an error the script shows. The script then answers with a normal form post, so everything
 * after the ceremony is a plain page, as without JavaScript.
 */
export function optionsReply(reply: FastifyReply, result: { options: Record<string, unknown> } | { refused: PasskeyRefusal }) {
  if ('options' in result) return reply.type('application/json').send({ options: result.options });
  return reply.code(STATUS[result.refused]).type('application/json').send({ error: PASSKEY_MESSAGES[result.refused] });
}

/**
 * The browser's answer, posted as JSON in the form field `credential`, checked against `schema`
 * (the same one the Back End checks); undefined when it is missing or malformed, which is no attempt.
 */
export function credentialOf<T>(body: unknown, schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } }): T | undefined {
  const text = field(body, 'credential');
  if (text === '' || text.length > 12_000) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The form's answer was not a passkey answer at all (a bug or a hand-made post): a 400 page, not an attempt. */
export const MALFORMED_ANSWER = 'The passkey answer was missing or malformed. Try again.';
