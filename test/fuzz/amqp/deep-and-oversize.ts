import fc from 'fast-check';
import { MAX_REQUEST_BYTES, type ActionName } from '@gatehouse/protocol';
import type { AmqpCase, AmqpProps } from './case.js';
import { actionArb, text, validRequest } from './valid-requests.js';

const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

type DeepPlace = 'top' | 'data' | 'email' | 'action' | 'extra' | 'client';

/** A request nested `depth` levels deep at `place`: the whole body, `data`, a field, or beside valid fields. */
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

/** Nesting 64 to 4,000 levels deep, somewhere in a request. */
export const deepArb = fc
  .tuple(fc.integer({ min: 64, max: 4000 }), fc.constantFrom('array' as const, 'object' as const), fc.constantFrom<DeepPlace>('top', 'data', 'email', 'action', 'extra', 'client'), actionArb)
  .map(([depth, shape, place, action]) => deepBody(depth, shape, place, action));

/** A request padded with an ignored extra field to exactly `size` bytes (valid if nothing else is wrong). */
export function paddedRequest(size: number, action: ActionName = 'GETHASH', n = 1): Buffer {
  const request = { ...validRequest(action, n), pad: '' };
  const overhead = Buffer.byteLength(JSON.stringify(request));
  if (size < overhead) throw new Error(`cannot pad a request to ${size} bytes`);
  return text({ ...request, pad: 'p'.repeat(size - overhead) });
}

/** Bodies over the size limit: a padded request, bare bytes, or a long array. */
export const oversizeArb = fc
  .tuple(fc.noBias(fc.integer({ min: MAX_REQUEST_BYTES + 1, max: 200_000 })), fc.constantFrom('padded', 'garbage', 'array'), actionArb)
  .map(([size, shape, action]) => {
    if (shape === 'padded') return paddedRequest(size, action);
    if (shape === 'array') return Buffer.from(`[${'1,'.repeat(Math.floor((size - 3) / 2))}1]`);
    return Buffer.alloc(size, 'x');
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
