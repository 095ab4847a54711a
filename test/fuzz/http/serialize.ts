import { CSRF, HOST, SESSION, TOKEN, type HttpCase, type LiveValues } from './case.js';

/** The bytes of a case, its placeholders filled with live values and its body framed as it asks. */
export function serialize(c: HttpCase, live: LiveValues): Buffer {
  const fill = (s: string) => s.replaceAll(TOKEN, live.token).replaceAll(CSRF, live.csrfCookie).replaceAll(SESSION, live.session).replaceAll(HOST, live.host);
  if (c.raw !== undefined) return Buffer.from(fill(c.raw), 'latin1');
  const body = fill(c.body);
  const headers = c.headers.map(([k, v]): [string, string] => [k, fill(v)]);
  const length = body.length; // binary string: one char per byte
  let payload = body;
  switch (c.framing) {
    case 'length':
      headers.push(['Content-Length', String(length)]);
      break;
    case 'none':
      break;
    case 'chunked':
      headers.push(['Transfer-Encoding', 'chunked']);
      payload = chunk(body);
      break;
    case 'over':
      headers.push(['Content-Length', String(length + 1 + (length % 4096))]);
      break;
    case 'under':
      headers.push(['Content-Length', String(Math.floor(length / 2))]);
      break;
    case 'double':
      headers.push(['Content-Length', String(length)], ['Content-Length', String(length + 7)]);
      break;
    case 'te-cl':
      headers.push(['Content-Length', String(length)], ['Transfer-Encoding', 'chunked']);
      payload = chunk(body);
      break;
    case 'bad-chunked':
      headers.push(['Transfer-Encoding', 'chunked']);
      payload = `zz\r\n${body}\r\n-1\r\n\r\n`;
      break;
  }
  const requestLine = c.version === '' ? `${c.method} ${c.target}` : `${c.method} ${c.target} ${c.version}`;
  const head = [requestLine, ...headers.map(([k, v]) => `${k}: ${v}`)].join(c.eol);
  return Buffer.from(`${head}${c.eol}${c.eol}${payload}`, 'latin1');
}

function chunk(body: string): string {
  const parts: string[] = [];
  for (let i = 0; i < body.length; i += 1000) {
    const piece = body.slice(i, i + 1000);
    parts.push(`${piece.length.toString(16)}\r\n${piece}\r\n`);
  }
  return `${parts.join('')}0\r\n\r\n`;
}
