import { authenticator } from 'otplib';

/** RFC 6238's usual parameters (SHA-1, 6 digits, 30 s), accepting one step either side for clock drift. */
export const TOTP_STEP_SECONDS = 30;
const WINDOW = 1;

/** A new secret: 20 random bytes (RFC 4226's recommended 160 bits), in base32 as apps expect. */
export function newTotpSecret(): string {
  return authenticator.generateSecret(20);
}

/**
 * The time step `code` is valid for at `nowMs`, within ±1 step, or undefined. A step at or
 * before `lastStep` was used already: refusing it makes each code good for one login only.
 */
export function acceptedStep(secret: string, code: string, lastStep: number, nowMs = Date.now()): number | undefined {
  const delta = authenticator.clone({ window: WINDOW, epoch: nowMs }).checkDelta(code, secret);
  if (delta === null) return undefined;
  const step = Math.floor(nowMs / 1000 / TOTP_STEP_SECONDS) + delta;
  return step > lastStep ? step : undefined;
}
