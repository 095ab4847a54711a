import { describe, expect, it } from 'vitest';
import { ConfigError } from '@gatehouse/runtime';
import { loadBackEndConfig } from '../src/config.js';
import { webauthnSettings } from '../src/passkeys/webauthn-settings.js';

const BASE = { AMQP_URL: 'amqp://u:pw-for-tests@localhost', DATABASE_URL: 'postgres://u:pw-for-tests@localhost/db' };
const problems = (env: Record<string, string>) => {
  try {
    loadBackEndConfig({ ...BASE, ...env });
    return [];
  } catch (err) {
    return (err as ConfigError).problems;
  }
};

describe('passkey settings (WEBAUTHN_RP_ID, WEBAUTHN_ORIGIN)', () => {
  it('derives both from PUBLIC_URL, and leaves passkeys off without either', () => {
    expect(loadBackEndConfig({ ...BASE, PUBLIC_URL: 'https://login.example.com/app' }).policies.webauthn).toEqual({ rpId: 'login.example.com', origin: 'https://login.example.com', rpName: 'Gatehouse' });
    expect(loadBackEndConfig(BASE).policies.webauthn).toBeUndefined();
  });

  it('takes an explicit parent domain as the RP ID', () => {
    const config = loadBackEndConfig({ ...BASE, WEBAUTHN_ORIGIN: 'https://login.example.com', WEBAUTHN_RP_ID: 'example.com' });
    expect(config.policies.webauthn).toMatchObject({ rpId: 'example.com', origin: 'https://login.example.com' });
  });

  it('allows plain HTTP on localhost only, as browsers do', () => {
    expect(loadBackEndConfig({ ...BASE, WEBAUTHN_ORIGIN: 'http://localhost:3000' }).policies.webauthn).toMatchObject({ rpId: 'localhost', origin: 'http://localhost:3000' });
    expect(problems({ WEBAUTHN_ORIGIN: 'http://login.example.com' })).toEqual([expect.stringMatching(/^WEBAUTHN_ORIGIN: must be https/)]);
  });

  it.each([
    [{ WEBAUTHN_ORIGIN: 'https://example.com', WEBAUTHN_RP_ID: 'other.com' }, /^WEBAUTHN_RP_ID: must be the origin's host or a parent/],
    [{ WEBAUTHN_ORIGIN: 'https://example.com', WEBAUTHN_RP_ID: 'ample.com' }, /^WEBAUTHN_RP_ID: must be the origin's host or a parent/],
    [{ WEBAUTHN_ORIGIN: 'https://127.0.0.1:8443' }, /^WEBAUTHN_RP_ID: must be a domain name/],
    [{ WEBAUTHN_ORIGIN: 'https://example.com/login' }, /^WEBAUTHN_ORIGIN: must be an origin only/],
    [{ WEBAUTHN_ORIGIN: 'not a url' }, /^WEBAUTHN_ORIGIN: must be an http/],
    [{ WEBAUTHN_ORIGIN: 'https://example.com', WEBAUTHN_RP_ID: 'Example.COM' }, /^WEBAUTHN_RP_ID: must be a lowercase domain/],
    [{ WEBAUTHN_RP_ID: 'example.com' }, /^WEBAUTHN_ORIGIN: is required with WEBAUTHN_RP_ID/],
  ])('refuses %o at start-up', (env, message) => {
    expect(problems(env)).toEqual([expect.stringMatching(message)]);
  });

  it('keeps a PUBLIC_URL that cannot serve passkeys (an IP address, plain HTTP) as passkeys off, not a start-up error', () => {
    expect(problems({ PUBLIC_URL: 'http://10.0.0.5:3000' })).toEqual([]);
    expect(webauthnSettings({ PUBLIC_URL: 'http://10.0.0.5:3000' })).toBeUndefined();
    expect(webauthnSettings({ PUBLIC_URL: 'http://gatehouse.example.com' })).toBeUndefined();
  });
});
