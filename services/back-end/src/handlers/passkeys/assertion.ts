import type { TransactionSql } from 'postgres';
import { lockPasskey, spendChallenge, storedUserHandle, usePasskey, type ChallengePurpose, type PasskeyRow } from '@gatehouse/database';
import type { AuthenticationResponse } from '@gatehouse/protocol';
import type { HandlerContext } from '../context.js';
import { answeredChallenge, challengeHashOf } from '../../passkeys/relying-party.js';

export type AssertionOutcome =
  | { outcome: 'ok'; passkey: PasskeyRow }
  /** No live challenge of this purpose and binding was answered (none, used, expired): nothing to check. */
  | { outcome: 'expired' }
  /** The passkey is unknown (or another account's), or its answer does not verify. `passkey`: whose it is, when known. */
  | { outcome: 'wrong'; passkey?: PasskeyRow };

/**
 * Checks one passkey assertion inside the caller's transaction: the challenge it answers must be
 * a live one handed out for `purpose` to `boundTo`, and is spent whatever follows (single use);
 * the passkey's row is locked, so its counter moves under one assertion at a time, and is
 * updated (counter, backup state, last use) only when the assertion verifies.
 */
export async function checkAssertion(
  ctx: HandlerContext,
  tx: TransactionSql,
  a: { purpose: ChallengePurpose; boundTo: string; credential: AuthenticationResponse; email?: string },
): Promise<AssertionOutcome> {
  const rp = ctx.passkeys;
  const challenge = answeredChallenge(a.credential.response.clientDataJSON);
  if (!rp || !challenge) return { outcome: 'expired' };
  if ((await spendChallenge(tx, challengeHashOf(challenge), a.purpose, a.boundTo)) !== 'valid') return { outcome: 'expired' };
  const passkey = await lockPasskey(tx, a.credential.id, a.email);
  if (!passkey) return { outcome: 'wrong' };
  // A discoverable passkey names its user too (WebAuthn §7.2 step 6): it must be the account the credential id is.
  const userHandle = a.credential.response.userHandle;
  if (userHandle !== undefined && userHandle !== (await storedUserHandle(tx, passkey.email))) return { outcome: 'wrong', passkey };
  // A login with the passkey alone must prove the user too (PIN, biometrics): it stands for both factors.
  const verified = await rp.verifyAssertion(a.credential, challenge, passkey, a.purpose === 'passwordless');
  if (!verified) return { outcome: 'wrong', passkey };
  await usePasskey(tx, passkey.id, verified.counter, verified.backedUp);
  return { outcome: 'ok', passkey };
}
