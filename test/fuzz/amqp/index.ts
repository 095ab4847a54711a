import { deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { BROKER_MAX_MESSAGE_BYTES, parseRequest } from '@gatehouse/protocol';
import { invalidUtf8Arb, jsonOdditiesArb, randomBytesArb, truncatedArb } from './broken-json.js';
import type { AmqpCase } from './case.js';
import { deepArb, oversizeArb, specialCases } from './deep-and-oversize.js';
import { oneBadFieldArb, unknownActionArb, wrongTypesArb } from './invalid-requests.js';
import { propsArb } from './properties.js';
import { oddValidArb, validArb } from './valid-requests.js';

export type { AmqpCase, AmqpProps } from './case.js';
export { deepBody, paddedRequest, specialCases } from './deep-and-oversize.js';
export { ACTIONS, validRequest } from './valid-requests.js';

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

/**
 * Cases until `malformedCount` of them are malformed by the protocol's own validation (the
 * few generated ones that happen to be valid come on top), the special ones spread evenly
 * among fast-check's. Everything follows from `seed`.
 */
export function generateAmqpCases(seed: number, malformedCount: number): AmqpCase[] {
  const isMalformed = (c: AmqpCase) => !parseRequest(c.body).ok;
  // Bigger bodies never reach the Back End: the broker refuses them (bus-limits.test.ts).
  const fits = (c: AmqpCase) => c.body.length <= BROKER_MAX_MESSAGE_BYTES;
  const specials = specialCases().filter(fits);
  let malformed = specials.filter(isMalformed).length;
  const generated: AmqpCase[] = [];
  for (const kase of fc.sample(amqpCaseArb, { seed, numRuns: Math.ceil(malformedCount * 1.25) + 100 })) {
    if (malformed >= malformedCount) break;
    if (!fits(kase)) continue;
    generated.push(kase);
    if (isMalformed(kase)) malformed++;
  }
  if (malformed < malformedCount) throw new Error(`only ${malformed} malformed messages generated, want ${malformedCount}`);
  const step = Math.max(1, Math.floor(generated.length / (specials.length + 1)));
  specials.forEach((special, i) => generated.splice(Math.min(generated.length, (i + 1) * step + i), 0, special));
  return generated;
}
