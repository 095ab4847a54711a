import type { TransactionSql } from 'postgres';
import { lockTotp, useTotpStep } from '@gatehouse/database';
import type { HandlerContext } from '../context.js';
import { acceptedStep } from '../../second-factors/totp-codes.js';

export type TotpCheck = 'ok' | 'wrong' | 'not_enrolled';

/**
 * Checks `code` against the account's secret, with its row locked, and spends the code's time
 * step: the same code, on any Front End, is refused after this. `pending`: the enrolment's
 * first code (TOTP is switched on by it); otherwise TOTP must be on already.
 */
export async function checkTotp(ctx: HandlerContext, tx: TransactionSql, email: string, code: string, pending = false): Promise<TotpCheck> {
  const row = await lockTotp(tx, email);
  if (!row || row.enabled === pending || !ctx.mfaKeys) return 'not_enrolled';
  let secret: string;
  try {
    secret = ctx.mfaKeys.open(row.secretBox, email);
  } catch (err) {
    // A box that does not open (altered, or its key was dropped) is an operator's problem, not a wrong code.
    ctx.logger.error({ err }, 'A TOTP secret could not be opened; see docs/security.md on MFA_ENCRYPTION_KEY');
    return 'wrong';
  }
  const step = acceptedStep(secret, code, row.lastStep);
  if (step === undefined) return 'wrong';
  await useTotpStep(tx, email, step, pending);
  return 'ok';
}
