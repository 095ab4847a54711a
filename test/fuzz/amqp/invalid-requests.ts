import fc from 'fast-check';
import { actionArb, dataFields, hex64, seedArb, text, validRequest } from './valid-requests.js';

const MISSING = Symbol('missing');
type Bad = unknown | typeof MISSING;

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

/** A known action whose request is valid except for exactly one field (or `data` itself). */
export const oneBadFieldArb = fc
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

/** Actions the protocol does not know (near misses, prototype names, random text), with or without valid data. */
export const unknownActionArb = fc
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

/** JSON of the wrong shape: action, data, fields or the whole request of the wrong type. */
export const wrongTypesArb = fc.oneof(
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
