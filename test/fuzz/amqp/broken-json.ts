import fc from 'fast-check';
import { oneBadFieldArb } from './invalid-requests.js';
import { validArb } from './valid-requests.js';

/** Serialized requests (valid or not) to cut short or to corrupt. */
const requestTextArb = fc.oneof(validArb, oneBadFieldArb);

/** A request cut short at a random byte. */
export const truncatedArb = requestTextArb.chain((full) => fc.nat({ max: Math.max(0, full.length - 1) }).map((k) => full.subarray(0, k)));

/** Bytes that are not a request at all: random, binary text, or a lone JSON token. */
export const randomBytesArb = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a)),
  fc.string({ unit: 'binary', maxLength: 500 }).map((s) => Buffer.from(s)),
  fc.constantFrom('', ' ', '\n', '\u0000', '\ufeff', '{', '}', '[', '"', 'null', 'true', '0', '-', '1e', '""').map((s) => Buffer.from(s)),
);

const INVALID_UTF8 = [[0xff], [0xfe], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xc3], [0xf4, 0x90, 0x80, 0x80], [0xef, 0xbf]];

/** Invalid UTF-8 spliced into a request: in its strings (becoming U+FFFD) or between tokens (breaking the JSON). */
export const invalidUtf8Arb = fc
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
export const jsonOdditiesArb = fc.constantFrom(...JSON_ODDITIES).map((s) => Buffer.from(s));
