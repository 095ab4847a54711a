import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

/**
 * A software WebAuthn authenticator for tests: ES256 keys from node:crypto, attestation "none",
 * and assertions built byte by byte as WebAuthn §6.1 lays them out. It answers the options
 * Gatehouse hands out; every part a relying party checks (origin, RP ID, counter, flags,
 * signature) can be set wrong on purpose.
 */

type Cbor = number | string | Uint8Array | Cbor[] | Map<Cbor, Cbor>;

/** Just enough CBOR (RFC 8949) for an attestation object and a COSE key. */
export function cbor(value: Cbor): Buffer {
  const head = (major: number, n: number) => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
    if (n < 0x10000) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
    const b = Buffer.alloc(5);
    b[0] = (major << 5) | 26;
    b.writeUInt32BE(n, 1);
    return b;
  };
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(cbor)]);
  return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

const FLAG = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 } as const;
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();
const b64url = (data: Buffer) => data.toString('base64url');

interface Credential {
  id: Buffer;
  privateKey: KeyObject;
  cose: Buffer;
  counter: number;
  userHandle: string;
}

/** What a test may set wrong in one ceremony. */
export interface Tamper {
  origin?: string;
  rpId?: string;
  /** The signature counter to report (default: one more than the last). */
  counter?: number;
  /** Report user verification (default true). */
  userVerified?: boolean;
  /** Backup eligible and backed up (default false, false: a device-bound key). */
  backup?: { eligible: boolean; state: boolean };
  /** Sign with another key. */
  forgeSignature?: boolean;
  /** Name another user (base64url) in the assertion's userHandle. */
  userHandle?: string;
}

interface CreationOptions {
  challenge: string;
  user: { id: string };
}
interface RequestOptions {
  challenge: string;
  allowCredentials?: { id: string }[];
}

export class SoftAuthenticator {
  readonly #credentials: Credential[] = [];

  constructor(readonly origin: string, readonly rpId: string) {}

  /** The id (base64url) of the newest credential. */
  get lastId(): string {
    return b64url(this.#credentials.at(-1)!.id);
  }

  /** navigator.credentials.create()'s answer to `options`, as @simplewebauthn/browser posts it. */
  register(options: CreationOptions, tamper: Tamper = {}) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = cbor(new Map<Cbor, Cbor>([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x!, 'base64url')], [-3, Buffer.from(jwk.y!, 'base64url')]]));
    const id = randomBytes(16);
    const credential: Credential = { id, privateKey, cose, counter: tamper.counter ?? 0, userHandle: options.user.id };
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(id.length);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, id, cose]); // AAGUID zero: attestation "none"
    const authData = Buffer.concat([this.#authData(tamper, FLAG.AT, credential.counter), attested]);
    const clientDataJSON = this.#clientData('webauthn.create', options.challenge, tamper);
    const attestationObject = cbor(new Map<Cbor, Cbor>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
    this.#credentials.push(credential);
    return {
      id: b64url(id),
      rawId: b64url(id),
      type: 'public-key',
      response: { clientDataJSON: b64url(clientDataJSON), attestationObject: b64url(attestationObject), transports: ['internal'] },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** navigator.credentials.get()'s answer: the allowed credential, or (discoverable) `id`, or the newest. */
  assert(options: RequestOptions, tamper: Tamper & { id?: string } = {}) {
    const wanted = tamper.id ?? options.allowCredentials?.[0]?.id ?? this.lastId;
    const credential = this.#credentials.find((c) => b64url(c.id) === wanted);
    if (!credential) throw new Error(`no credential ${wanted}`);
    credential.counter = tamper.counter ?? credential.counter + 1;
    const authData = this.#authData(tamper, 0, credential.counter);
    const clientDataJSON = this.#clientData('webauthn.get', options.challenge, tamper);
    const key = tamper.forgeSignature ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey : credential.privateKey;
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), key);
    return {
      id: wanted,
      rawId: wanted,
      type: 'public-key',
      response: { clientDataJSON: b64url(clientDataJSON), authenticatorData: b64url(authData), signature: b64url(signature), userHandle: tamper.userHandle ?? credential.userHandle },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  #authData(tamper: Tamper, extra: number, counter: number): Buffer {
    const backup = tamper.backup ?? { eligible: false, state: false };
    const flags = FLAG.UP | (tamper.userVerified === false ? 0 : FLAG.UV) | (backup.eligible ? FLAG.BE : 0) | (backup.state ? FLAG.BS : 0) | extra;
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    return Buffer.concat([sha256(tamper.rpId ?? this.rpId), Buffer.from([flags]), count]);
  }

  #clientData(type: string, challenge: string, tamper: Tamper): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin: tamper.origin ?? this.origin, crossOrigin: false }));
  }
}
