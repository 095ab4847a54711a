import fc from 'fast-check';
import { base, bin, FORM, routeArb, type HttpCase } from './case.js';

/**
 * Raw bytes. Only a request that is not complete yet (no request line, or no blank line
 * after the headers) may be left waiting; none may be dropped unanswered (CONNECT gets 405).
 */
const garbage = (raw: string): HttpCase =>
  base({ kind: 'garbage', raw, reuse: false, mayHang: !/[^\r\n][^]*\r\n\r\n/.test(raw), mayDrop: false });

/** Request lines with odd versions, and bytes that are not HTTP at all. */
export const garbageArb = fc.oneof(
  fc.tuple(fc.constantFrom('HTTP/1.0', '', 'HTTP/2.0', 'HTTP/1.2', 'HTTP/3', 'http/1.1', 'HTTP/11', 'HTTP/1', 'HTTP/9.9', 'HTTPS/1.1', 'HTTP/1.1\x00', 'HTTP/1.1 x'), routeArb).map(
    ([version, route]) => base({ kind: 'version', version, target: route, reuse: false, mayHang: version === '' }),
  ),
  fc.uint8Array({ minLength: 1, maxLength: 600 }).map((bytes) => garbage(`${Buffer.from(bytes).toString('latin1')}\r\n\r\n`)),
  fc.string({ unit: 'binary', maxLength: 200 }).map((s) => garbage(`${bin(s)}\r\n\r\n`)),
  fc.constantFrom(
    'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
    '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' + '\x00'.repeat(40),
    'SSH-2.0-OpenSSH_9.0\r\n',
    '\r\n\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: x\r\n',
    'GET / HTTP/1.1\r\n\r\n',
    'GET / HTTP/1.1\rHost: x\r\r',
    'GET  /  HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET /\r\n\r\n',
    'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n',
    'CONNECT evil.example:443 HTTP/1.1\r\n\r\n',
    '\x00\x00\x00\x00\r\n\r\n',
    `POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: ${FORM}\r\nContent-Length: 5\r\n\r\nemail=x&password=y&_csrf=z`,
    `POST /login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: ${FORM}\r\n\r\n5\r\nemail\r\n0\r\n\r\nGET /secret HTTP/1.1\r\nHost: x\r\n\r\n`,
  ).map(garbage),
);

