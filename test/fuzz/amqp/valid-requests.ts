import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { requestSchemas, type ActionName } from '@gatehouse/protocol';

export const ACTIONS = Object.keys(requestSchemas) as ActionName[];

/** Each action's `data` fields, read from the schemas, so fields added later get fuzzed too. */
export function dataFields(action: ActionName): string[] {
  const schema = requestSchemas[action] as unknown as { shape: { data: { shape: Record<string, unknown> } } };
  return Object.keys(schema.shape.data.shape);
}

export const hex64 = (seed: string) => createHash('sha256').update(seed).digest('hex');
const b64 = (seed: string) => createHash('sha256').update(seed).digest('base64').replace(/=+$/, '');
const b64url = (seed: string) => createHash('sha256').update(seed).digest('base64url');

/** A value the schema accepts for a field we know; undefined (left out) for fields we do not. */
function validValue(field: string, n: number): unknown {
  switch (field) {
    case 'email':
      return `fuzz.${n}@example.com`;
    case 'hash':
      return `$argon2id$v=19$m=19456,t=2,p=1$${b64(`salt${n}`).slice(0, 22)}$${b64(`hash${n}`)}`;
    case 'tokenHash':
      return hex64(`token-${n}`);
    case 'sessionTokenHash':
      return hex64(`session-${n}`);
    case 'newEmail':
      return `fuzz.new.${n}@example.com`;
    case 'reason':
      return n % 2 === 0 ? 'login' : 'register';
    // Second factors (issue 20): a pending login's and a new session's token hashes, a code, recovery code hashes.
    case 'pendingHash':
    case 'sessionTokenHash':
      return hex64(`${field}-${n}`);
    case 'code':
      return String(n % 1_000_000).padStart(6, '0');
    case 'recoveryCodeHashes':
      return Array.from({ length: 10 }, (_, i) => hex64(`recovery-${n}-${i}`));
    // Passkeys (issue 20 §2): names, credential ids, and one answer shaped for both ceremonies
    // (the schemas are loose, so the registration's and the assertion's fields can travel together).
    case 'flowHash':
      return hex64(`flow-${n}`);
    case 'name':
      return `Key ${n}`;
    case 'credentialId':
      return b64url(`credential-${n}`);
    case 'credential':
      return {
        id: b64url(`credential-${n}`),
        rawId: b64url(`credential-${n}`),
        type: 'public-key',
        response: { clientDataJSON: b64url(`client-${n}`), attestationObject: b64url(`att-${n}`), authenticatorData: b64url(`auth-${n}`), signature: b64url(`sig-${n}`) },
        clientExtensionResults: {},
      };
    case 'client':
      return n % 3 === 0 ? undefined : { ip: '127.0.0.1', userAgent: 'gatehouse-fuzz/1.0' };
    default:
      return undefined;
  }
}

/** The request of `action` that the schema accepts, its values derived from `n`. */
export function validRequest(action: ActionName, n: number): { action: string; data: Record<string, unknown> } {
  const data: Record<string, unknown> = {};
  for (const field of dataFields(action)) {
    const value = validValue(field, n);
    if (value !== undefined) data[field] = value;
  }
  // Its two bindings exclude each other: keep one.
  if (action === 'PASSKEY_LOGIN_OPTIONS') delete data[n % 2 === 0 ? 'flowHash' : 'pendingHash'];
  return { action, data };
}

export const actionArb = fc.constantFrom(...ACTIONS);
export const seedArb = fc.nat({ max: 1_000_000 });
/** A value as JSON bytes. */
export const text = (value: unknown) => Buffer.from(JSON.stringify(value));

/** Valid requests, as our own client would send them. */
export const validArb = fc.tuple(actionArb, seedArb).map(([action, n]) => text(validRequest(action, n)));

/** Schema-valid, but odd: NULs, lone surrogates, maximal lengths, SQL, extra fields. The handlers must cope. */
const ODD_VALID: Record<string, unknown[]> = {
  hash: [
    '\u0000', 'a\u0000b', '\ud800', '\udfff\ud800x', '😀'.repeat(512), 'h'.repeat(1024), "'; DROP TABLE users; --",
    '\\', '\r\n\t', '%s%n%x', '${process.exit(1)}', ' ', '\u202e\u200b',
  ],
  email: [' MiXeD.Case@Example.COM ', 'a+tag@sub.example.co', `${'a'.repeat(64)}@${'b'.repeat(60)}.example.com`, 'x@x.io'],
  client: [
    { ip: '\u0000' }, { userAgent: 'ua\u0000' }, { ip: '' }, { userAgent: 'x'.repeat(512) }, { ip: 'x'.repeat(64) },
    { ip: '::1', userAgent: '😀'.repeat(256) }, { ip: "'; DROP TABLE auth_events; --" }, { extra: { nested: [1, 2, 3] } }, {},
    { ip: '\ud800', userAgent: '\udc00' },
  ],
  reason: ['login', 'register'],
  tokenHash: ['0'.repeat(64), 'f'.repeat(64)],
  code: ['000000', '999999'],
  recoveryCodeHashes: [Array.from({ length: 10 }, () => '0'.repeat(64))],
};

/** Schema-valid requests with odd values and extra fields. */
export const oddValidArb = fc
  .tuple(actionArb, seedArb, fc.nat(), fc.nat(), fc.option(fc.jsonValue({ maxDepth: 4 }), { nil: undefined }))
  .map(([action, n, pickField, pickValue, extra]) => {
    const request = validRequest(action, n) as Record<string, unknown> & { data: Record<string, unknown> };
    const fields = dataFields(action).filter((f) => ODD_VALID[f]);
    const field = fields[pickField % fields.length];
    if (field) {
      const values = ODD_VALID[field]!;
      request.data[field] = values[pickValue % values.length];
    }
    if (extra !== undefined) {
      if (pickValue % 2) request.data.extra = extra;
      else request.extra = extra;
    }
    return text(request);
  });
