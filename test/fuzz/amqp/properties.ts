import fc from 'fast-check';
import type { AmqpProps } from './case.js';

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

/** AMQP basic properties: content type and encoding, headers, priority and the rest, each maybe left out. */
export const propsArb: fc.Arbitrary<AmqpProps> = fc.record(
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

