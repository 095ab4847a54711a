import type { Reply, RequestOf } from '@gatehouse/protocol';
import { claimMail, markMailSent } from '@gatehouse/database';
import type { HandlerContext } from './context.js';

/**
 * MAIL_CLAIM: the Mailer's question before it sends (is this mail still unsent, and nobody
 * else's now?). The answer carries the mail itself: the mail queue holds only ids, so no link
 * rests in the broker.
 */
export async function mailClaim(ctx: HandlerContext, { data }: RequestOf<'MAIL_CLAIM'>): Promise<Reply> {
  const claim = await claimMail(ctx.db, data.id, data.claimant, data.leaseMs);
  if (claim.state === 'claimed') return { success: true, mail: { ...claim.mail } };
  if (claim.state === 'busy') return { success: false, mailState: 'busy', retryInMs: claim.retryInMs };
  return { success: false, mailState: claim.state };
}

/** MAIL_SENT: idempotent; the row keeps that it was sent, not what it said. */
export async function mailSent(ctx: HandlerContext, { data }: RequestOf<'MAIL_SENT'>): Promise<Reply> {
  await markMailSent(ctx.db, data.id);
  return { success: true };
}
