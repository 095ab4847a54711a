import { createHash, randomBytes } from 'node:crypto';
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
  type AuthenticatorTransportFuture,
} from '@simplewebauthn/server';
import type { PasskeyRow } from '@gatehouse/database';
import type { AuthenticationResponse, RegistrationResponse } from '@gatehouse/protocol';
import type { WebauthnSettings } from './webauthn-settings.js';

/** The browser's own timeout for a ceremony; the stored challenge lives as long (CHALLENGE_SECONDS). */
const CEREMONY_MS = 5 * 60_000;

/** Challenges are stored and looked up by this hash only. */
export const challengeHashOf = (challenge: string) => createHash('sha256').update(challenge).digest('hex');

/** The challenge a browser answered, read from its clientDataJSON; undefined when that is not JSON with one. */
export function answeredChallenge(clientDataJSON: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
    const challenge = (parsed as { challenge?: unknown } | null)?.challenge;
    return typeof challenge === 'string' && /^[A-Za-z0-9_-]{16,128}$/.test(challenge) ? challenge : undefined;
  } catch {
    return undefined;
  }
}

export interface VerifiedRegistration {
  id: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
  backupEligible: boolean;
  backedUp: boolean;
}

export interface VerifiedAssertion {
  counter: number;
  backupEligible: boolean;
  backedUp: boolean;
}

/**
 * @simplewebauthn/server with our relying party's settings. The caller has already matched the
 * answered challenge to a stored, live one; verification checks it again, with the origin, the
 * RP ID hash, the flags, the signature and the counter.
 */
export class RelyingParty {
  constructor(
    readonly settings: WebauthnSettings,
    /** Told why an answer did not verify (for the log; the user only learns that it did not). */
    private readonly refused: (reason: string) => void = () => {},
  ) {}

  /** Discoverable credentials (residentKey required), so the same passkey also works for a login without an email. */
  registrationOptions(user: { email: string; handle: string }, existing: readonly PasskeyRow[]) {
    return generateRegistrationOptions({
      rpName: this.settings.rpName,
      rpID: this.settings.rpId,
      userName: user.email,
      userID: Buffer.from(user.handle, 'base64url'),
      attestationType: 'none',
      excludeCredentials: existing.map((p) => ({ id: p.id, transports: p.transports as AuthenticatorTransportFuture[] })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
      timeout: CEREMONY_MS,
    });
  }

  /** `allowed`: the account's passkeys (second factor); empty: any discoverable passkey (passwordless, which needs user verification). */
  authenticationOptions(allowed: readonly PasskeyRow[]) {
    return generateAuthenticationOptions({
      rpID: this.settings.rpId,
      allowCredentials: allowed.map((p) => ({ id: p.id, transports: p.transports as AuthenticatorTransportFuture[] })),
      userVerification: allowed.length === 0 ? 'required' : 'preferred',
      timeout: CEREMONY_MS,
    });
  }

  /** The new passkey, or undefined when the answer does not verify (wrong origin, RP ID, challenge, format). */
  async verifyRegistration(response: RegistrationResponse, challenge: string): Promise<VerifiedRegistration | undefined> {
    return this.#checked(async () => {
      const result = await verifyRegistrationResponse({ response: response as never, ...this.#expected(challenge), requireUserVerification: false });
      if (!result.verified) return this.#refuse('registration not verified');
      const { credential, credentialDeviceType, credentialBackedUp } = result.registrationInfo;
      return {
        id: credential.id,
        publicKey: credential.publicKey,
        counter: credential.counter,
        transports: response.response.transports ?? [],
        backupEligible: credentialDeviceType === 'multiDevice',
        backedUp: credentialBackedUp,
      };
    });
  }

  /**
   * Checks an assertion of stored passkey `stored`: undefined when it fails, including a counter
   * that did not grow (a cloned authenticator) and a backup-eligibility flag that changed since
   * registration (the spec fixes it for a credential's life).
   */
  async verifyAssertion(response: AuthenticationResponse, challenge: string, stored: PasskeyRow, requireUserVerification: boolean): Promise<VerifiedAssertion | undefined> {
    return this.#checked(async () => {
      const credential = { id: stored.id, publicKey: stored.publicKey as Uint8Array<ArrayBuffer>, counter: stored.counter, transports: stored.transports as AuthenticatorTransportFuture[] };
      const result = await verifyAuthenticationResponse({ response: response as never, ...this.#expected(challenge), credential, requireUserVerification });
      if (!result.verified) return this.#refuse('assertion not verified');
      const info = result.authenticationInfo;
      const backupEligible = info.credentialDeviceType === 'multiDevice';
      if (backupEligible !== stored.backupEligible) return this.#refuse('backup eligibility changed since registration');
      return { counter: info.newCounter, backupEligible, backedUp: info.credentialBackedUp };
    });
  }

  /** What every answer must match: the challenge handed out (already matched to a stored one), our origin and RP ID. */
  #expected(challenge: string) {
    return { expectedChallenge: challenge, expectedOrigin: this.settings.origin, expectedRPID: this.settings.rpId };
  }

  /** The library throws on most mismatches: each is a refusal, with its reason logged. */
  async #checked<T>(verify: () => Promise<T | undefined>): Promise<T | undefined> {
    try {
      return await verify();
    } catch (err) {
      return this.#refuse((err as Error).message);
    }
  }

  #refuse(reason: string): undefined {
    this.refused(reason);
    return undefined;
  }
}

/** A new WebAuthn user handle: 32 random bytes, base64url (never derived from the email). */
export const newUserHandle = () => randomBytes(32).toString('base64url');
