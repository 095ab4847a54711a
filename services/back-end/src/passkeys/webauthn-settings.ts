import { isIP } from 'node:net';
import { z } from 'zod';

/** The relying party passkeys are made for and checked against (WebAuthn §5.1.3, §7). */
export interface WebauthnSettings {
  /** The RP ID: the site's domain (or a registrable suffix of it); authenticators scope passkeys to it. */
  rpId: string;
  /** The exact origin browsers report in clientDataJSON (scheme, host, port). */
  origin: string;
  /** What authenticators show next to the account. */
  rpName: string;
}

const origin = () =>
  z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// origin' }).refine((value) => {
    // Refinements run even after the URL check failed: a value that does not parse is left to it.
    if (!URL.canParse(value)) return true;
    const url = new URL(value);
    return (url.pathname === '/' || url.pathname === '') && !url.search && !url.hash && !url.username;
  }, 'must be an origin only (scheme, host and port), without a path');

const RP_ID = /^[a-z0-9.-]{1,253}$/;

/** The variables the Back End reads for passkeys. PUBLIC_URL is the Mailer's, read here only as a default. */
export const webauthnFields = {
  WEBAUTHN_RP_ID: z.string().regex(RP_ID, 'must be a lowercase domain name, such as example.com').optional(),
  WEBAUTHN_ORIGIN: origin().optional(),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
};

type Source = { WEBAUTHN_RP_ID?: string | undefined; WEBAUTHN_ORIGIN?: string | undefined; PUBLIC_URL?: string | undefined };

/** Browsers run WebAuthn only in a secure context: HTTPS, or plain HTTP on localhost. */
const secureContext = (url: URL) => url.protocol === 'https:' || url.hostname === 'localhost' || url.hostname.endsWith('.localhost');
/** The RP ID must be the origin's host or a parent domain of it (WebAuthn §5.1.3 step 8). */
const scopes = (rpId: string, host: string) => host === rpId || host.endsWith(`.${rpId}`);

/**
 * What is wrong with the passkey settings the operator set, if anything. Only explicit settings
 * are refused: a PUBLIC_URL that cannot serve passkeys (an IP address, plain HTTP) leaves them
 * off instead, so a deployment that set it for mail before passkeys existed still starts.
 */
export function webauthnProblem(e: Source): { path: string; message: string } | undefined {
  if (e.WEBAUTHN_RP_ID && !e.WEBAUTHN_ORIGIN && !e.PUBLIC_URL) return { path: 'WEBAUTHN_ORIGIN', message: 'is required with WEBAUTHN_RP_ID (or set PUBLIC_URL)' };
  if (!e.WEBAUTHN_ORIGIN && !e.WEBAUTHN_RP_ID) return undefined;
  const given = e.WEBAUTHN_ORIGIN ?? e.PUBLIC_URL!;
  // The object's check runs even when a field's failed: that field's own message says enough.
  if (!URL.canParse(given) || (e.WEBAUTHN_RP_ID !== undefined && !RP_ID.test(e.WEBAUTHN_RP_ID))) return undefined;
  const url = new URL(given);
  if (!secureContext(url)) return { path: 'WEBAUTHN_ORIGIN', message: 'must be https:// (browsers allow plain http:// only on localhost)' };
  const rpId = e.WEBAUTHN_RP_ID ?? url.hostname;
  if (isIP(rpId.replace(/^\[|\]$/g, ''))) return { path: 'WEBAUTHN_RP_ID', message: 'must be a domain name: browsers refuse IP addresses as RP IDs' };
  if (!scopes(rpId, url.hostname)) return { path: 'WEBAUTHN_RP_ID', message: "must be the origin's host or a parent domain of it" };
  return undefined;
}

/**
 * The relying party, from WEBAUTHN_ORIGIN and WEBAUTHN_RP_ID, or derived from PUBLIC_URL (the
 * origin as given, the RP ID its host); undefined when nothing usable is set: no passkeys.
 * Call it after webauthnProblem found nothing.
 */
export function webauthnSettings(e: Source, rpName = 'Gatehouse'): WebauthnSettings | undefined {
  const explicit = e.WEBAUTHN_ORIGIN ?? (e.WEBAUTHN_RP_ID ? e.PUBLIC_URL : undefined);
  const url = new URL(explicit ?? e.PUBLIC_URL ?? 'about:blank');
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (!explicit && (!secureContext(url) || isIP(url.hostname.replace(/^\[|\]$/g, '')))) return undefined;
  return { rpId: e.WEBAUTHN_RP_ID ?? url.hostname, origin: url.origin, rpName };
}
