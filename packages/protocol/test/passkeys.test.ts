import { describe, expect, it } from 'vitest';
import { parseRequest } from '../src/index.js';

// Issue 20 §2: every passkey action refuses malformed data with a message naming the field.
const body = (value: unknown) => Buffer.from(JSON.stringify(value));
const tokenHash = 'ab'.repeat(32);
const b64 = (text: string) => Buffer.from(text).toString('base64url');
const assertion = {
  id: 'Y3JlZGVudGlhbA',
  rawId: 'Y3JlZGVudGlhbA',
  type: 'public-key',
  response: { clientDataJSON: b64('{}'), authenticatorData: b64('data'), signature: b64('sig') },
  clientExtensionResults: {},
};
const attestation = { ...assertion, response: { clientDataJSON: b64('{}'), attestationObject: b64('att'), transports: ['internal'] } };

describe('passkey requests', () => {
  it('accepts well-formed registration, removal and login requests', () => {
    for (const request of [
      { action: 'PASSKEY_REGISTER_OPTIONS', data: { tokenHash } },
      { action: 'PASSKEY_REGISTER', data: { tokenHash, name: 'Work laptop', credential: attestation } },
      { action: 'PASSKEY_REMOVE', data: { tokenHash, credentialId: 'Y3JlZGVudGlhbA' } },
      { action: 'PASSKEY_LOGIN_OPTIONS', data: { flowHash: tokenHash } },
      { action: 'PASSKEY_LOGIN_OPTIONS', data: { pendingHash: tokenHash } },
      { action: 'PASSKEY_LOGIN', data: { flowHash: tokenHash, sessionTokenHash: tokenHash, credential: assertion } },
      { action: 'MFA_LOGIN_VERIFY', data: { pendingHash: tokenHash, sessionTokenHash: tokenHash, passkey: assertion } },
      { action: 'MFA_LOGIN_FACTORS', data: { pendingHash: tokenHash } },
    ]) {
      expect(parseRequest(body(request)), request.action).toMatchObject({ ok: true });
    }
  });

  it.each([
    ['a name too long', { action: 'PASSKEY_REGISTER', data: { tokenHash, name: 'x'.repeat(65), credential: attestation } }, 'data.name'],
    ['an empty name', { action: 'PASSKEY_REGISTER', data: { tokenHash, name: '   ', credential: attestation } }, 'data.name'],
    ['no attestation object', { action: 'PASSKEY_REGISTER', data: { tokenHash, name: 'a', credential: assertion } }, 'data.credential.response.attestationObject'],
    ['a credential id that is not base64url', { action: 'PASSKEY_REMOVE', data: { tokenHash, credentialId: 'a b' } }, 'data.credentialId'],
    ['an unknown transport', { action: 'PASSKEY_REGISTER', data: { tokenHash, name: 'a', credential: { ...attestation, response: { ...attestation.response, transports: ['pigeon'] } } } }, 'transports'],
    ['a type other than public-key', { action: 'PASSKEY_LOGIN', data: { flowHash: tokenHash, sessionTokenHash: tokenHash, credential: { ...assertion, type: 'password' } } }, 'data.credential.type'],
    ['both bindings', { action: 'PASSKEY_LOGIN_OPTIONS', data: { flowHash: tokenHash, pendingHash: tokenHash } }, 'exactly one of pendingHash and flowHash'],
    ['neither binding', { action: 'PASSKEY_LOGIN_OPTIONS', data: {} }, 'exactly one of pendingHash and flowHash'],
    ['a passkey and a code at once', { action: 'MFA_LOGIN_VERIFY', data: { pendingHash: tokenHash, sessionTokenHash: tokenHash, code: '123456', passkey: assertion } }, 'exactly one of code, recoveryCodeHash and passkey'],
    ['a signature as a number', { action: 'PASSKEY_LOGIN', data: { flowHash: tokenHash, sessionTokenHash: tokenHash, credential: { ...assertion, response: { ...assertion.response, signature: 5 } } } }, 'signature'],
  ])('refuses %s, naming the field', (_name, request, field) => {
    const result = parseRequest(body(request));
    expect(result.ok).toBe(false);
    expect(result).toMatchObject({ reply: { success: false, message: expect.stringContaining(field) } });
  });
});
