import fc from 'fast-check';
import { specialHttpCases, hugeBodyArb, truncatedArb, underArb } from './body-sizes.js';
import type { HttpCase } from './case.js';
import { cookieCaseArb } from './cookies.js';
import { formArb, otherBodyArb } from './form-posts.js';
import { garbageArb } from './garbage.js';
import { headerArb } from './headers.js';
import { methodArb, pathArb } from './methods-paths.js';
import { validArb } from './valid.js';

export { specialHttpCases } from './body-sizes.js';
export { ROUTES, type HttpCase, type LiveValues } from './case.js';
export { serialize } from './serialize.js';

export const httpCaseArb: fc.Arbitrary<HttpCase> = fc.oneof(
  { weight: 30, arbitrary: formArb },
  { weight: 8, arbitrary: otherBodyArb },
  { weight: 10, arbitrary: methodArb },
  { weight: 14, arbitrary: pathArb },
  { weight: 10, arbitrary: cookieCaseArb },
  { weight: 12, arbitrary: headerArb },
  { weight: 6, arbitrary: garbageArb },
  { weight: 2, arbitrary: hugeBodyArb },
  { weight: 1, arbitrary: truncatedArb },
  { weight: 2, arbitrary: underArb },
  { weight: 5, arbitrary: validArb },
);

/**
 * Cases until `malformedCount` of them are malformed (every kind but the `valid` baseline,
 * which comes on top), the special ones spread among fast-check's, all from `seed`.
 */
export function generateHttpCases(seed: number, malformedCount: number): HttpCase[] {
  const specials = specialHttpCases();
  let malformed = specials.length;
  const generated: HttpCase[] = [];
  for (const kase of fc.sample(httpCaseArb, { seed, numRuns: Math.ceil(malformedCount * 1.1) + 100 })) {
    if (malformed >= malformedCount) break;
    generated.push(kase);
    if (kase.kind !== 'valid') malformed++;
  }
  if (malformed < malformedCount) throw new Error(`only ${malformed} malformed requests generated, want ${malformedCount}`);
  const step = Math.max(1, Math.floor(generated.length / (specials.length + 1)));
  specials.forEach((special, i) => generated.splice(Math.min(generated.length, (i + 1) * step + i), 0, special));
  return generated;
}
