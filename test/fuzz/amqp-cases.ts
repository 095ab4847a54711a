import { createHash } from 'node:crypto';
import { deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { MAX_REQUEST_BYTES, parseRequest, requestSchemas, type ActionName } from '@gatehouse/protocol';

/** The AMQP basic properties a fuzz case may set (besides reply_to and correlation_id, which the runner owns). */
export interface AmqpProps {
  contentType?: string;
  contentEncoding?: string;
  headers?: Record<string, unknown>;
  priority?: number;
  durable?: boolean;
  messageId?: string;
  type?: string;
  appId?: string;
  timestamp?: number;
}

export interface AmqpCase {
  /** The generator that made it, for the summary and for failure reports. */
  kind: string;
  body: Buffer;
  /** False: published without reply_to (nobody can be answered; malformed ones must be dead-lettered). */
  replyTo: boolean;
  props: AmqpProps;
}

export const ACTIONS = Object.keys(requestSchemas) as ActionName[];

/** Each action's `data` fields, read from the schemas, so fields added later get fuzzed too. */
function dataFields(action: ActionName): string[] {
  const schema = requestSchemas[action] as unknown as { shape: { data: { shape: Record<string, unknown> } } };
  return Object.keys(schema.shape.data.shape);
}

const hex64 = (seed: string) => createHash('sha256').update(seed).digest('hex');
const b64 = (seed: string) => createHash('sha256').update(seed).digest('base64').replace(/=+$/, '');

/** A value the schema accepts for a field we know; undefined (left out) for fields we do not. */
function validValue(field: string, n: number): unknown {
  switch (field) {
    case 'email':
      return `fuzz.${n}@example.com`;
    case 'hash':
      return `$argon2id$v=19$m=19456,t=2,p=1$${b64(`salt${n}`).slice(0, 22)}$${b64(`hash${n}`)}`;
    case 'tokenHash':
      return hex64(`token-${n}`);
    case 'reason':
      return n % 2 === 0 ? 'login' : 'register';
    case 'client':
      return n % 3 === 0 ? undefined : { ip: '127.0.0.1', userAgent: 'gatehouse-fuzz/1.0' };
    default:
      return undefined;
  }
}

export function validRequest(action: ActionName, n: number): { action: string; data: Record<string, unknown> } {
  const data: Record<string, unknown> = {};
  for (const field of dataFields(action)) {
    const value = validValue(field, n);
    if (value !== undefined) data[field] = value;
  }
  return { action, data };
}

const MISSING = Symbol('missing');
type Bad = unknown | typeof MISSING;

const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** Values the schemas must refuse, per field name (plus generic ones for any field). */
const BAD_VALUES: Record<string, Bad[]> = {
  email: [
    '', '   ', 'plainaddress', '@example.com', 'a@', 'a@@b.io', 'a b@c.io', 'a@b', '<script>@x.io', 'ü@ü.example',
    `${'a'.repeat(250)}@b.io`, 'x'.repeat(10_000), 'a@b.io\u0000', "' OR 1=1 --@x.io", '\ud800@x.io',
    42, -1, 0, true, false, null, [], {}, ['a@b.io'], { email: 'a@b.io' }, 1e400, MISSING,
  ],
  hash: ['', 'h'.repeat(1025), 'h'.repeat(100_000), 42, null, false, [], {}, ['$argon2id$'], MISSING],
  tokenHash: [
    '', 'a'.repeat(63), 'a'.repeat(65), 'A'.repeat(64), 'g'.repeat(64), ` ${hex64('x')}`, `${hex64('x')}\n`,
    hex64('x').toUpperCase(), `${hex64('x').slice(0, 63)}\u0000`, 12345, null, [], {}, [hex64('x')], MISSING,
  ],
  reason: ['logout', '', 'LOGIN', 'login ', 'Register', 0, 1, null, true, ['login'], { reason: 'login' }],
  client: [
    '127.0.0.1', 42, [], true, null, { ip: 'x'.repeat(65) }, { userAgent: 'u'.repeat(513) }, { ip: 42 },
    { userAgent: {} }, { ip: ['1.2.3.4'] }, { ip: null }, { userAgent: false },
  ],
  data: [MISSING, null, 'data', '{"email":"a@b.io"}', 42, true, [], [{ email: 'a@b.io' }]],
};
const GENERIC_BAD: Bad[] = [null, 42, true, [], {}, '', MISSING];

function badValue(field: string): fc.Arbitrary<Bad> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...(BAD_VALUES[field] ?? GENERIC_BAD)) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  );
}

function setField(target: Record<string, unknown>, field: string, value: Bad): void {
  if (value === MISSING) delete target[field];
  else target[field] = value;
}

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
};

const actionArb = fc.constantFrom(...ACTIONS);
const seedArb = fc.nat({ max: 1_000_000 });
const text = (value: unknown) => Buffer.from(JSON.stringify(value));

/** Valid requests, as our own client would send them. */
const validArb = fc.tuple(actionArb, seedArb).map(([action, n]) => text(validRequest(action, n)));

/** Schema-valid requests with odd values and extra fields. */
const oddValidArb = fc
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

/** A known action whose request is valid except for exactly one field (or `data` itself). */
const oneBadFieldArb = fc
  .tuple(actionArb, seedArb)
  .chain(([action, n]) =>
    fc.constantFrom(...dataFields(action), 'data').chain((field) =>
      badValue(field).map((bad) => {
        const request = validRequest(action, n) as Record<string, unknown> & { data: Record<string, unknown> };
        if (field === 'data') setField(request, 'data', bad);
        else setField(request.data, field, bad);
        return text(request);
      }),
    ),
  );

const UNKNOWN_ACTIONS = [
  'register', 'Register', ' REGISTER', 'REGISTER ', 'REGISTER\u0000', 'GETHASH\n', 'GET_HASH', '__proto__', 'constructor',
  'toString', 'hasOwnProperty', 'valueOf', 'DROP TABLE users', 'LOGIN', 'LOGOUT', 'SESSION', 'SESSION_DELETE',
  'ＲＥＧＩＳＴＥＲ', 'REGİSTER', 'GETHASH'.repeat(1000), '', ' ', '*', 'null', 'undefined',
];

const unknownActionArb = fc
  .tuple(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...UNKNOWN_ACTIONS) },
      { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    ),
    actionArb,
    seedArb,
    fc.boolean(),
  )
  .map(([action, like, n, withData]) => text({ action, data: withData ? validRequest(like, n).data : {} }));

const wrongTypesArb = fc.oneof(
  // action of the wrong type
  fc.tuple(fc.oneof(fc.integer(), fc.boolean(), fc.double(), fc.array(actionArb, { minLength: 1 }), fc.object({ maxDepth: 2 })), actionArb, seedArb).map(
    ([action, like, n]) => text({ action, data: validRequest(like, n).data }),
  ),
  // data of the wrong type
  fc.tuple(actionArb, fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.array(fc.jsonValue({ maxDepth: 2 })), fc.constant(null))).map(
    ([action, data]) => text({ action, data }),
  ),
  // every field of the wrong type
  fc.tuple(actionArb, fc.array(fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string())), { minLength: 5, maxLength: 5 })).map(
    ([action, values]) => text({ action, data: Object.fromEntries(dataFields(action).map((f, i) => [f, values[i % values.length]])) }),
  ),
  // the whole request of the wrong type
  fc.jsonValue({ maxDepth: 3 }).filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)).map(text),
  // an object, but not a request
  fc.json({ maxDepth: 3 }).map((s) => Buffer.from(s)),
);

/** Serialized requests (valid or not) to cut short or to corrupt. */
const requestTextArb = fc.oneof(validArb, oneBadFieldArb);

const truncatedArb = requestTextArb.chain((full) => fc.nat({ max: Math.max(0, full.length - 1) }).map((k) => full.subarray(0, k)));

const randomBytesArb = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a)),
  fc.string({ unit: 'binary', maxLength: 500 }).map((s) => Buffer.from(s)),
  fc.constantFrom('', ' ', '\n', '\u0000', '\ufeff', '{', '}', '[', '"', 'null', 'true', '0', '-', '1e', '""').map((s) => Buffer.from(s)),
);

const INVALID_UTF8 = [[0xff], [0xfe], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xc3], [0xf4, 0x90, 0x80, 0x80], [0xef, 0xbf]];

/** Invalid UTF-8 spliced into a request: in its strings (becoming U+FFFD) or between tokens (breaking the JSON). */
const invalidUtf8Arb = fc
  .tuple(requestTextArb, fc.array(fc.tuple(fc.nat(), fc.constantFrom(...INVALID_UTF8)), { minLength: 1, maxLength: 3 }))
  .map(([full, inserts]) => {
    let bytes = full;
    for (const [at, seq] of inserts) {
      const k = at % (bytes.length + 1);
      bytes = Buffer.concat([bytes.subarray(0, k), Buffer.from(seq), bytes.subarray(k)]);
    }
    return bytes;
  });

const email = 'a@b.io';
const JSON_ODDITIES = [
  `{'action':'GETHASH','data':{'email':'${email}'}}`,
  `{action:"GETHASH",data:{email:"${email}"}}`,
  `{"action":"GETHASH","data":{"email":"${email}"},}`,
  `{"action":"GETHASH","data":{"email":"${email}"}} trailing`,
  `/* comment */{"action":"GETHASH","data":{"email":"${email}"}}`,
  `{"action":NaN}`, `{"action":Infinity}`, `{"action":undefined}`, `{"action":"GETHASH","n":0x10}`,
  `\ufeff{"action":"GETHASH","data":{"email":"${email}"}}`,
  `{"action":"\\uZZZZ"}`, `{"action":"GETHASH","data":{"email":"${email}"}}\u0000`, `{"a":1e99999}`, `{"action":"GET\\u0000HASH"}`,
  `{"action":"GETHASH","action":"REGISTER","data":{"email":"${email}"}}`,
  `{"__proto__":{"action":"GETHASH"},"data":{"email":"${email}"}}`,
  `{"__proto__":{"polluted":true},"action":"GETHASH","data":{"email":"${email}","__proto__":{"email":"x"}}}`,
  `{"constructor":{"prototype":{"action":"GETHASH"}}}`,
  `{"action":"GETHASH","data":{"email":"${email}","constructor":{"prototype":{"polluted":1}}}}`,
  JSON.stringify(JSON.stringify({ action: 'GETHASH', data: { email } })),
  `[{"action":"GETHASH","data":{"email":"${email}"}}]`,
  `{"action":"GETHASH","data":"{\\"email\\":\\"${email}\\"}"}`,
  ` \n\t{"action":"GETHASH","data":{"email":"${email}"}}\n `,
  `{"action":"GETHASH","data":{"email":"${email}"}}{"action":"GETHASH"}`,
  `{"data":{"email":"${email}"}}`, `{"action":null}`, `{"action":""}`, `{}`, `{"action":"GETHASH"}`, `{"action":"GETHASH","data":null}`,
  `{"action":"GETHASH","data":{"email":"\\ud800@b.io"}}`, `{"action":"GETHASH","data":{"email":"${'\\u0041'.repeat(300)}"}}`,
  `{"action":"GETHASH","data":{"email":${'1'.repeat(400)}}}`, `{"action":"GETHASH","data":{"email":-0}}`,
  `{"action":"GETHASH","data":{"email":"${email}"`, `{"action":"GETHASH","data":{"email":"${email}"}}}`,
];
const jsonOdditiesArb = fc.constantFrom(...JSON_ODDITIES).map((s) => Buffer.from(s));

type DeepPlace = 'top' | 'data' | 'email' | 'action' | 'extra' | 'client';
export function deepBody(depth: number, shape: 'array' | 'object', place: DeepPlace, action: ActionName = 'GETHASH'): Buffer {
  const deep = shape === 'array' ? deepArray(depth) : deepObject(depth);
  const valid = JSON.stringify(validRequest(action, depth).data).slice(1, -1);
  switch (place) {
    case 'top':
      return Buffer.from(deep);
    case 'data':
      return Buffer.from(`{"action":"${action}","data":${deep}}`);
    case 'email':
      return Buffer.from(`{"action":"${action}","data":{"email":${deep}}}`);
    case 'action':
      return Buffer.from(`{"action":${deep},"data":{${valid}}}`);
    case 'extra':
      return Buffer.from(`{"action":"${action}","data":{${valid},"extra":${deep}}}`);
    case 'client':
      return Buffer.from(`{"action":"${action}","data":{${valid},"client":{"ip":"127.0.0.1","more":${deep}}}}`);
  }
}

const deepArb = fc
  .tuple(fc.integer({ min: 64, max: 4000 }), fc.constantFrom('array' as const, 'object' as const), fc.constantFrom<DeepPlace>('top', 'data', 'email', 'action', 'extra', 'client'), actionArb)
  .map(([depth, shape, place, action]) => deepBody(depth, shape, place, action));

/** A request padded with an ignored extra field to exactly `size` bytes (valid if nothing else is wrong). */
export function paddedRequest(size: number, action: ActionName = 'GETHASH', n = 1): Buffer {
  const request = { ...validRequest(action, n), pad: '' };
  const overhead = Buffer.byteLength(JSON.stringify(request));
  if (size < overhead) throw new Error(`cannot pad a request to ${size} bytes`);
  return text({ ...request, pad: 'p'.repeat(size - overhead) });
}

const oversizeArb = fc
  .tuple(fc.noBias(fc.integer({ min: MAX_REQUEST_BYTES + 1, max: 200_000 })), fc.constantFrom('padded', 'garbage', 'array'), actionArb)
  .map(([size, shape, action]) => {
    if (shape === 'padded') return paddedRequest(size, action);
    if (shape === 'array') return Buffer.from(`[${'1,'.repeat(Math.floor((size - 3) / 2))}1]`);
    return Buffer.alloc(size, 'x');
  });

// --- AMQP properties ---------------------------------------------------------------------

const shortStr = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 50 }));
// RabbitMQ 3.10 closes the channel on a `void` (null) header value, so none are sent.
const headerValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.boolean(),
  // rabbitmq-client encodes integral numbers beyond ±2^63 as INT64 and throws, poisoning the channel: stay below.
  fc.double({ noNaN: true, min: -1e12, max: 1e12 }),
  fc.array(fc.oneof(fc.string({ maxLength: 10 }), fc.integer()), { maxLength: 4 }),
  fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.oneof(fc.string({ maxLength: 10 }), fc.integer()), { maxKeys: 3 }),
);
const headerName = fc.oneof(
  fc.string({ minLength: 1, maxLength: 20 }),
  fc.constantFrom('x-match', 'x-delay', 'x-first-death-reason', 'x-retry', 'content-type', 'reply_to', 'x-correlation-id', 'traceparent'),
);
const headersArb = fc.dictionary(headerName, headerValue, { minKeys: 1, maxKeys: 6 });

const contentTypeArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 4, arbitrary: fc.constant('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'text/plain', 'application/octet-stream', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x', '', 'application/xml', 'text/plain; charset=latin1',
    ),
  },
  { weight: 1, arbitrary: shortStr },
);

const contentEncodingArb = fc.oneof(
  { weight: 8, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constantFrom('gzip', 'deflate', 'identity', 'br', 'utf-16le', 'base64', '') },
  { weight: 1, arbitrary: shortStr },
);

const propsArb: fc.Arbitrary<AmqpProps> = fc.record(
  {
    contentType: contentTypeArb,
    contentEncoding: contentEncodingArb,
    headers: fc.option(headersArb, { freq: 3, nil: undefined }),
    priority: fc.option(fc.integer({ min: 0, max: 255 }), { freq: 4, nil: undefined }),
    durable: fc.option(fc.boolean(), { nil: undefined }),
    messageId: fc.option(fc.oneof(shortStr, fc.constant('')), { freq: 4, nil: undefined }),
    type: fc.option(shortStr, { freq: 6, nil: undefined }),
    appId: fc.option(shortStr, { freq: 6, nil: undefined }),
    timestamp: fc.option(fc.integer({ min: 0, max: 2 ** 31 }), { freq: 6, nil: undefined }),
  },
  { requiredKeys: [] },
).map((props) => Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined)) as AmqpProps);

const tagged = (kind: string, bytes: Buffer): { kind: string; bytes: Buffer } => ({ kind, bytes });

const bodyArb = fc.oneof(
  { weight: 20, arbitrary: truncatedArb.map((b) => tagged('truncated-json', b)) },
  { weight: 16, arbitrary: randomBytesArb.map((b) => tagged('random-bytes', b)) },
  { weight: 16, arbitrary: invalidUtf8Arb.map((b) => tagged('invalid-utf8', b)) },
  { weight: 10, arbitrary: jsonOdditiesArb.map((b) => tagged('json-oddities', b)) },
  { weight: 24, arbitrary: wrongTypesArb.map((b) => tagged('wrong-types', b)) },
  { weight: 6, arbitrary: deepArb.map((b) => tagged('deep-nesting', b)) },
  { weight: 20, arbitrary: unknownActionArb.map((b) => tagged('unknown-action', b)) },
  { weight: 60, arbitrary: oneBadFieldArb.map((b) => tagged('one-bad-field', b)) },
  { weight: 4, arbitrary: validArb.map((b) => tagged('valid', b)) },
  { weight: 2, arbitrary: oddValidArb.map((b) => tagged('odd-but-valid', b)) },
  { weight: 1, arbitrary: oversizeArb.map((b) => tagged('oversize', b)) },
);

/** One generated message: a body, its properties, and whether it asks for a reply (85 % do). */
export const amqpCaseArb: fc.Arbitrary<AmqpCase> = fc
  .record({ body: bodyArb, props: propsArb, replyTo: fc.noBias(fc.integer({ min: 0, max: 99 })).map((p) => p >= 15), compress: fc.boolean() })
  .map(({ body: { kind, bytes }, props, replyTo, compress }) => {
    // Sometimes the encoding is real: a gzipped (or deflated) JSON request the Back End must not mistake for JSON.
    let body = bytes;
    if (compress && props.contentEncoding === 'gzip') body = gzipSync(bytes);
    else if (compress && props.contentEncoding === 'deflate') body = deflateSync(bytes);
    return { kind, body, props, replyTo };
  });

const TEN_MB = 10 * 1024 * 1024;

/** Hand-made cases generated data rarely reaches: 10,000-deep nesting, 10 MB bodies, the size limit's edge. */
export function specialCases(): AmqpCase[] {
  const json = { contentType: 'application/json' };
  const c = (kind: string, body: Buffer, props: AmqpProps = {}, replyTo = true): AmqpCase => ({ kind, body, props, replyTo });
  const tenMbEmail = Buffer.concat([Buffer.from('{"action":"REGISTER","data":{"hash":"h","email":"'), Buffer.alloc(TEN_MB, 'a'), Buffer.from('@x.io"}}')]);
  return [
    c('deep-10k', deepBody(10_000, 'array', 'top')),
    c('deep-10k', deepBody(10_000, 'object', 'top')),
    c('deep-10k', deepBody(10_000, 'object', 'data', 'REGISTER')),
    c('deep-10k', deepBody(10_000, 'array', 'email', 'GETHASH'), json),
    c('deep-10k', deepBody(10_000, 'array', 'action')),
    c('deep-10k', deepBody(10_000, 'object', 'extra', 'GETHASH')),
    c('deep-10k', deepBody(10_000, 'array', 'client', 'SESSION_GET'), json),
    c('deep-10k', deepBody(10_000, 'array', 'top'), {}, false),
    c('deep-10k', deepBody(10_000, 'object', 'data', 'SESSION_REVOKE'), json, false),
    c('deep-100k', deepBody(100_000, 'array', 'top'), json),
    c('huge-10MB', Buffer.alloc(TEN_MB, '{')),
    c('huge-10MB', tenMbEmail, json),
    c('huge-10MB', Buffer.alloc(TEN_MB, 0xff), { contentType: 'application/octet-stream' }, false),
    c('size-limit', paddedRequest(MAX_REQUEST_BYTES, 'GETHASH')),
    c('size-limit', paddedRequest(MAX_REQUEST_BYTES + 1, 'GETHASH')),
    c('size-limit', paddedRequest(MAX_REQUEST_BYTES + 1, 'GETHASH'), json),
    c('size-limit', paddedRequest(MAX_REQUEST_BYTES + 1, 'LOGIN_FAILED'), json, false),
  ];
}

/**
 * Cases until `malformedCount` of them are malformed by the protocol's own validation (the
 * few generated ones that happen to be valid come on top), the special ones spread evenly
 * among fast-check's. Everything follows from `seed`.
 */
export function generateAmqpCases(seed: number, malformedCount: number): AmqpCase[] {
  const isMalformed = (c: AmqpCase) => !parseRequest(c.body).ok;
  const specials = specialCases();
  let malformed = specials.filter(isMalformed).length;
  const generated: AmqpCase[] = [];
  for (const kase of fc.sample(amqpCaseArb, { seed, numRuns: Math.ceil(malformedCount * 1.25) + 100 })) {
    if (malformed >= malformedCount) break;
    generated.push(kase);
    if (isMalformed(kase)) malformed++;
  }
  if (malformed < malformedCount) throw new Error(`only ${malformed} malformed messages generated, want ${malformedCount}`);
  const step = Math.max(1, Math.floor(generated.length / (specials.length + 1)));
  specials.forEach((special, i) => generated.splice(Math.min(generated.length, (i + 1) * step + i), 0, special));
  return generated;
}
